using System.Text;
using System.Text.RegularExpressions;
using Foundry.Emulator.Control;
using Foundry.Engine.Tests.Lifecycle;

namespace Foundry.Engine.Tests.Reliability;

/// <summary>
/// What an environment's final state is, comparable across separate local clouds: every resource (type, tags but the
/// run id, provisioning state), role assignments by scope, role and principal (the app's identity by name), app
/// settings, secrets with their version counts, and soft-deleted accounts and vaults. Ports and identities that differ
/// between clouds are replaced by placeholders.
/// </summary>
internal static class StateSignature
{
    public static string Of(LocalCloud cloud, bool countSecretVersions = true)
    {
        var text = new StringBuilder();
        var assignments = new List<string>();
        lock (cloud.Host.Cloud.Sync)
        {
            var state = cloud.Host.Cloud.State;
            var principals = state.Resources.Values.Where(r => r.Identity?["principalId"] is not null)
                .ToDictionary(r => r.Identity!["principalId"]!.GetValue<string>(), r => $"<identity of {r.Name}>", StringComparer.OrdinalIgnoreCase);
            foreach (var resource in state.Resources.Values.OrderBy(r => r.Id, StringComparer.OrdinalIgnoreCase))
            {
                if (resource.Type == "Microsoft.Authorization/roleAssignments")
                {
                    var principal = resource.Properties["principalId"]?.GetValue<string>() ?? "";
                    assignments.Add($"role assignment at {resource.Id[..resource.Id.LastIndexOf('/')].ToLowerInvariant()}: {resource.Properties["roleDefinitionId"]} for {principals.GetValueOrDefault(principal, principal)}");
                    continue;
                }
                var tags = string.Join(";", (resource.Tags ?? new()).Where(t => t.Key is not ("foundry-run-id" or "foundry-created-at")).OrderBy(t => t.Key).Select(t => $"{t.Key}={t.Value}"));
                text.AppendLine($"{resource.Id.ToLowerInvariant()} [{resource.Type}] {resource.ProvisioningState} tags {tags}");
                if (state.AppSettings.TryGetValue(resource.Id.ToLowerInvariant(), out var settings))
                {
                    foreach (var setting in settings.OrderBy(s => s.Key, StringComparer.Ordinal)) text.AppendLine($"  setting {setting.Key}={setting.Value}");
                }
            }
            foreach (var (vault, content) in state.Vaults.OrderBy(v => v.Key))
            {
                // Lease claims are per run (bookkeeping, never state a run converges to).
                foreach (var (name, secret) in content.Secrets.Where(s => !s.Key.StartsWith("foundry-lease-", StringComparison.OrdinalIgnoreCase)).OrderBy(s => s.Key))
                {
                    text.AppendLine($"secret {vault}/{name}{(countSecretVersions ? $": {secret.Versions.Count} version(s)" : "")}{(secret.IsDeleted ? ", deleted" : "")}");
                }
            }
            foreach (var assignment in assignments.OrderBy(a => a, StringComparer.Ordinal)) text.AppendLine(assignment);
            foreach (var deleted in state.DeletedAccounts.Keys.OrderBy(k => k)) text.AppendLine($"deleted account {deleted}");
            foreach (var deleted in state.DeletedVaults.Keys.OrderBy(k => k)) text.AppendLine($"deleted vault {deleted}");
        }
        return text.ToString().Replace($":{cloud.Host.Port}", ":<port>", StringComparison.Ordinal);
    }

    /// <summary>
    /// The write steps of a run, from its requests: method, surface and a path pattern that also matches them in another
    /// cloud; a second write of the same shape (the app's role assignment after the operator's) is its own step, reached
    /// by letting the first through.
    /// </summary>
    public static IReadOnlyList<FaultRule> WriteSteps(IEnumerable<RequestRecord> requests) =>
        // Releasing the lease (a PATCH of the run's claim) is best effort by design: a claim not released lapses.
        requests.Where(r => r.Mutating && !(r.Method == "PATCH" && r.PathAndQuery.Contains("/secrets/foundry-lease-", StringComparison.OrdinalIgnoreCase)))
            .Select(r => (r.Method, r.Service, Pattern: PatternOf(r.PathAndQuery)))
            .GroupBy(s => s)
            .SelectMany(g => g.Select((s, occurrence) => new FaultRule
            {
                Method = s.Method, Service = s.Service, PathPattern = s.Pattern, Skip = occurrence, Status = 500, Code = "InternalServerError",
            }))
            .ToList();

    private static string PatternOf(string pathAndQuery)
    {
        var path = pathAndQuery.Split('?')[0];
        // Role assignment names and the like are GUIDs derived from identities that differ between clouds.
        var segments = path.Split('/').Select(s => Regex.IsMatch(s, "^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$") ? "[^/]+" : Regex.Escape(s));
        return "^" + string.Join("/", segments) + "$";
    }
}
