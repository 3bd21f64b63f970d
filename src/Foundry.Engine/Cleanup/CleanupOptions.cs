namespace Foundry.Engine.Cleanup;

/// <summary>How Remove-FoundryManagedResource deletes.</summary>
/// <param name="ThrottleLimit">Deletes in flight at once. The default, 16, stays inside Resource Manager's per-principal delete budget
/// (a 200-request bucket refilled at 10/s): real deletes take one to many seconds each, so 16 in flight issue at most ~10/s.</param>
/// <param name="MaxAttempts">Calls per resource before it is reported failed.</param>
/// <param name="FirstBackoff">First retry delay; it doubles each attempt (1, 2, 4 … s by default).</param>
/// <param name="MaxBackoff">Cap on a retry delay (a longer Retry-After still wins).</param>
/// <param name="PerResourceTimeout">Bound on one resource's deletion, retries included.</param>
/// <param name="Purge">Also purge soft-deleted AI accounts and Key Vaults after deleting them.</param>
public sealed record CleanupOptions(int ThrottleLimit, int MaxAttempts, TimeSpan FirstBackoff, TimeSpan MaxBackoff, TimeSpan PerResourceTimeout, bool Purge)
{
    /// <summary>The defaults the cmdlet uses.</summary>
    public static CleanupOptions Default { get; } = new(16, 5, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(15), false);
}
