using System.Diagnostics;
using Foundry.Engine.Errors;
using Foundry.Engine.Secrets;
using Foundry.Engine.Vaults;

namespace Foundry.Engine.Environments;

/// <summary>
/// One writer per environment across processes (an Actions job beside an Automation job, two matrix legs): a lease
/// that lives in the environment's Key Vault, as versions of the secret <c>foundry-lease-&lt;environment&gt;</c>.
/// A run appends a claim (a version with an expiry), lists the claims, and holds the lease only when its claim is the
/// only live one; otherwise it withdraws (disables) its claim and waits. Key Vault secrets offer no If-Match, but
/// writes and lists are strongly consistent, which is enough: of two runs that both claimed, the later claim's
/// list always sees the earlier claim, so two holders are impossible (both may withdraw, and retry after a random
/// delay). The holder renews its expiry every third of the lease duration; a crashed run stops renewing and its claim
/// lapses. A second run waits up to <see cref="EngineTimings.LeaseWaitLimit"/>, then fails with
/// <see cref="EngineErrorIds.EnvironmentBusy"/>. Trade-offs: docs/architecture.md, "Leases".
/// </summary>
internal sealed class EnvironmentLease : IAsyncDisposable
{
    private static readonly Random Jitter = new();
    private readonly string holder;
    private readonly EngineServices services;
    private readonly EnvironmentRun run;
    private readonly string operation;
    private Uri? vaultUri;
    private LeaseClaim? held;
    private CancellationTokenSource? renewal;
    private Task? renewing;

    private readonly bool waitForRemoval;

    private EnvironmentLease(EngineServices services, EnvironmentRun run, string operation, bool waitForRemoval, EnvironmentLocks locks)
    {
        holder = locks.Holder;
        this.services = services;
        this.run = run;
        this.operation = operation;
        this.waitForRemoval = waitForRemoval;
    }

    /// <summary>
    /// A lease for <paramref name="run"/>, not yet acquired (a WhatIf run never acquires: it only reads). The caller
    /// holds <paramref name="locks"/>' writer lock on the environment while it holds the lease.
    /// </summary>
    public static EnvironmentLease For(EngineServices services, EnvironmentRun run, string operation, EnvironmentLocks locks, bool waitForRemoval = true) =>
        new(services, run, operation, waitForRemoval, locks);

    /// <summary>The lease secret's name for an environment (one per environment, so a shared existing vault serves several).</summary>
    public static string NameFor(string environment) =>
        "foundry-lease-" + new string(environment.Select(c => char.IsLetterOrDigit(c) && c < 128 ? c : '-').ToArray());

    public bool IsHeld => held is not null;

    /// <summary>
    /// Acquires the lease if it is not held and the environment's vault exists (before up made the vault there is
    /// nothing to protect: up calls this again once the vault is there).
    /// </summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (run.WhatIf || held is not null) return;
        var waited = Stopwatch.StartNew();
        var vault = await services.Vaults.GetAsync(run.VaultId, cancellationToken).ConfigureAwait(false);
        if (vault is null)
        {
            await WaitForRemovalAsync(waited, cancellationToken).ConfigureAwait(false);
            return;
        }
        vaultUri = vault.VaultUri;
        var name = NameFor(run.Environment);
        var timings = services.Timings;
        var reportedWaiting = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var others = await LiveClaimsAsync(vault, name, cancellationToken).ConfigureAwait(false);
            LeaseClaim? mine = null;
            if (others?.Count == 0)
            {
                mine = await VaultGoneAsNull(() => services.Leases.AppendAsync(vault.VaultUri, name, run.RunId, holder, operation, DateTimeOffset.UtcNow + timings.LeaseDuration, cancellationToken), cancellationToken).ConfigureAwait(false);
                others = mine is null ? null : (await LiveClaimsAsync(vault, name, cancellationToken).ConfigureAwait(false))?.Where(c => c.Version != mine.Version).ToList();
            }
            if (others is null)
            {
                // The vault went: a down that held the lease removed the environment. Nothing is left to protect once
                // that down has finished with the resource group.
                await WaitForRemovalAsync(waited, cancellationToken).ConfigureAwait(false);
                return;
            }
            if (mine is not null)
            {
                if (others.Count == 0)
                {
                    held = mine;
                    run.Reporter.Verbose($"Holding the lease on environment '{run.Environment}' ({name}/{mine.Version}) for {operation}.");
                    renewal = new CancellationTokenSource();
                    renewing = RenewAsync(vault.VaultUri, name, mine, renewal.Token);
                    return;
                }
                // Another run claimed at the same time: both withdraw (neither holds), then the first to retry wins.
                await WithdrawAsync(vault.VaultUri, name, mine).ConfigureAwait(false);
            }
            if (waited.Elapsed >= timings.LeaseWaitLimit) throw Busy(name, others);
            if (!reportedWaiting)
            {
                var holder = others.OrderBy(c => c.CreatedOn).First();
                run.Reporter.Progress(run.Environment, $"Waiting for another run on this environment to finish ({holder.Operation} by {holder.Holder}, run {holder.RunId})");
                reportedWaiting = true;
            }
            // Randomised so that two runs that withdrew together do not claim together again.
            double spread;
            lock (Jitter) spread = Jitter.NextDouble();
            await Task.Delay(TimeSpan.FromMilliseconds((0.5 + spread) * timings.LeaseRetryInterval.TotalMilliseconds), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Gives the lease up now (idempotent); a release that fails leaves the claim to lapse at its expiry.</summary>
    public async Task ReleaseAsync()
    {
        if (held is not { } claim || vaultUri is null) return;
        held = null;
        renewal?.Cancel();
        if (renewing is not null) await renewing.ConfigureAwait(false);
        renewal?.Dispose();
        await WithdrawAsync(vaultUri, NameFor(run.Environment), claim).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync().ConfigureAwait(false);
        if (!markedRemoval) return;
        markedRemoval = false;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await ClearRemovalAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FoundryEngineException or OperationCanceledException)
        {
            run.Reporter.Verbose($"Removing the removal mark of '{run.Environment}' failed; it lapses in {RemovalMarkDuration.TotalMinutes:0} minutes.");
        }
    }

    /// <summary>Live claims, or null when the vault is gone.</summary>
    private async Task<List<LeaseClaim>?> LiveClaimsAsync(VaultInfo vault, string name, CancellationToken cancellationToken)
    {
        IReadOnlyList<LeaseClaim> claims;
        try
        {
            claims = await services.Leases.ListAsync(vault.VaultUri, name, cancellationToken).ConfigureAwait(false);
        }
        catch (FoundryEngineException e) when (e.Kind == FailureKind.Forbidden)
        {
            // The operator's secret access is gone (a down removes it before it deletes the vault): put it back, as up
            // and down do before their own secret work, and wait out its propagation — unless the vault went meanwhile.
            var regranted = await VaultGoneAsNull(async () =>
            {
                await new KeyWiring(services, run).EnsureOperatorAccessAsync(run.VaultId, cancellationToken).ConfigureAwait(false);
                return await Propagation.RetryForbiddenAsync(() => services.Leases.ListAsync(vault.VaultUri, name, cancellationToken), services.Timings, cancellationToken).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            if (regranted is null) return null;
            claims = regranted;
        }
        catch (FoundryEngineException) when (!cancellationToken.IsCancellationRequested)
        {
            if (await services.Vaults.GetAsync(run.VaultId, cancellationToken).ConfigureAwait(false) is null) return null;
            throw;
        }
        var now = DateTimeOffset.UtcNow;
        // A live claim under this process's own writer lock is a leftover: the caller holds that lock now, so no run of
        // this process is on the environment; an earlier one could not withdraw its claim (a down that failed after it
        // had removed the operator's secret access). Waiting out its expiry would only make the re-run wait 2 minutes.
        return claims.Where(c => c.IsLive(now) && !string.Equals(c.Holder, holder, StringComparison.Ordinal)).ToList();
    }

    /// <summary>The call's result, or null when it failed because the vault is gone.</summary>
    private async Task<T?> VaultGoneAsNull<T>(Func<Task<T>> call, CancellationToken cancellationToken) where T : class
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (FoundryEngineException) when (!cancellationToken.IsCancellationRequested)
        {
            if (await services.Vaults.GetAsync(run.VaultId, cancellationToken).ConfigureAwait(false) is null) return null;
            throw;
        }
    }

    private string GroupId => $"/subscriptions/{run.Subscription}/resourceGroups/{run.Names.ResourceGroup}";

    /// <summary>
    /// Down, before it deletes the vault (and the lease with it): marks the environment's resource group as being
    /// removed, so a run that starts after the vault is gone waits until down has finished instead of building into a
    /// group down is about to delete. The mark lapses after <see cref="RemovalMarkDuration"/> should down crash.
    /// </summary>
    public async Task MarkRemovalAsync(CancellationToken cancellationToken)
    {
        await services.Tags.MergeAsync(GroupId, new Dictionary<string, string> { [RemovalTag] = RemovalMark() }, cancellationToken).ConfigureAwait(false);
        markedRemoval = true;
    }

    private bool markedRemoval;

    /// <summary>When down ends (kept the group, failed, or stopped): takes its mark off again; a deleted group took it along.</summary>
    private async Task ClearRemovalAsync(CancellationToken cancellationToken)
    {
        var group = await services.Groups.GetAsync(run.Subscription, run.Names.ResourceGroup, cancellationToken).ConfigureAwait(false);
        if (group is not null && group.Tags.TryGetValue(RemovalTag, out var mark) && mark.StartsWith(run.RunId + ";", StringComparison.Ordinal))
        {
            await services.Tags.DeleteAsync(GroupId, new Dictionary<string, string> { [RemovalTag] = mark }, cancellationToken).ConfigureAwait(false);
        }
    }

    public const string RemovalTag = "foundry-removing";
    public static readonly TimeSpan RemovalMarkDuration = TimeSpan.FromMinutes(10);

    private string RemovalMark() => $"{run.RunId};{(DateTimeOffset.UtcNow + RemovalMarkDuration).ToUnixTimeSeconds()}";

    private async Task WaitForRemovalAsync(Stopwatch waited, CancellationToken cancellationToken)
    {
        var reported = false;
        while (waitForRemoval)
        {
            var group = await services.Groups.GetAsync(run.Subscription, run.Names.ResourceGroup, cancellationToken).ConfigureAwait(false);
            if (group is null || !group.Tags.TryGetValue(RemovalTag, out var mark) || mark.StartsWith(run.RunId + ";", StringComparison.Ordinal)) return;
            var parts = mark.Split(';');
            if (parts.Length != 2 || !long.TryParse(parts[1], out var until) || DateTimeOffset.FromUnixTimeSeconds(until) <= DateTimeOffset.UtcNow) return;
            if (waited.Elapsed >= services.Timings.LeaseWaitLimit)
            {
                throw new FoundryEngineException(FailureKind.Conflict, EngineErrorIds.EnvironmentBusy,
                    $"Environment '{run.Environment}' is busy: down (run {parts[0]}) is removing it (resource group tag {RemovalTag}, lapses {DateTimeOffset.FromUnixTimeSeconds(until):u}); waited {services.Timings.LeaseWaitLimit.TotalSeconds:0} s.",
                    "Run again when the removal has finished.", target: run.Environment);
            }
            if (!reported) run.Reporter.Progress(run.Environment, $"Waiting for the removal of this environment (run {parts[0]}) to finish");
            reported = true;
            await Task.Delay(services.Timings.LeaseRetryInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RenewAsync(Uri vault, string name, LeaseClaim claim, CancellationToken cancellationToken)
    {
        var every = TimeSpan.FromTicks(services.Timings.LeaseDuration.Ticks / 3);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, cancellationToken).ConfigureAwait(false);
                await services.Leases.UpdateAsync(vault, name, claim, DateTimeOffset.UtcNow + services.Timings.LeaseDuration, enabled: true, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (FoundryEngineException e)
            {
                // The run's own down may have removed the vault; otherwise the next renewal tries again before the expiry.
                run.Reporter.Verbose($"Renewing the lease on '{run.Environment}' failed ({e.ErrorId}); retrying.");
            }
        }
    }

    private async Task WithdrawAsync(Uri vault, string name, LeaseClaim claim)
    {
        try
        {
            // Not the run's token: a run stopped by Ctrl+C still gives its lease up rather than leave others waiting.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await services.Leases.UpdateAsync(vault, name, claim, DateTimeOffset.UtcNow, enabled: false, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FoundryEngineException or OperationCanceledException)
        {
            run.Reporter.Verbose($"Releasing the lease on '{run.Environment}' failed; it lapses at its expiry.");
        }
    }

    private FoundryEngineException Busy(string name, IReadOnlyList<LeaseClaim> others)
    {
        var holder = others.OrderBy(c => c.CreatedOn).First();
        return new FoundryEngineException(FailureKind.Conflict, EngineErrorIds.EnvironmentBusy,
            $"Environment '{run.Environment}' is busy: {holder.Operation} by {holder.Holder} (run {holder.RunId}) holds its lease until {holder.ExpiresOn:u} (renewed while it runs); waited {services.Timings.LeaseWaitLimit.TotalSeconds:0} s.",
            $"Run again when that run has finished. A run that crashed stops renewing its lease, so it lapses by {holder.ExpiresOn:u} at the latest.",
            target: run.Environment);
    }
}
