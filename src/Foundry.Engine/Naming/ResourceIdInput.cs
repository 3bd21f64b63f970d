using Azure.Core;
using Foundry.Engine.Errors;

namespace Foundry.Engine.Naming;

/// <summary>
/// Checks a resource id given by a caller (Remove-FoundryManagedResource -ResourceId, pipeline input) before any
/// request: a full id in a subscription's resource group or below, with no empty, "." or ".." segment and no
/// query or escape characters. Without it, ".." reached the wire, where the HTTP stack folds it away — the request
/// then named another resource than the id did — and malformed ids surfaced the SDK's FormatException or
/// InvalidOperationException instead of a Foundry error.
/// </summary>
public static class ResourceIdInput
{
    private const string Shape = "/subscriptions/<subscription-guid>/resourceGroups/<group>[/providers/<namespace>/<type>/<name>…]";

    /// <summary>The id, unchanged, when it is a usable resource id; otherwise a FoundryEngineException (InvalidResourceId).</summary>
    public static string Validate(string? id)
    {
        var problem = Problem(id);
        if (problem is null) return id!;
        throw new FoundryEngineException(FailureKind.InvalidRequest, EngineErrorIds.InvalidResourceId, $"'{id}' is not a resource id Foundry can act on: {problem}.",
            $"Pass the full id as Azure writes it ({Shape}); Get-FoundryManagedResource lists the ids of managed resources.", target: id);
    }

    private static string? Problem(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return "it is empty";
        if (id!.Length > 4096) return "it is longer than 4096 characters";
        if (id.IndexOfAny(new[] { '?', '#', '%', '\\' }) >= 0 || id.Any(char.IsControl)) return "it contains ?, #, %, \\ or a control character";
        var segments = id.Split('/');
        if (segments.Any(s => s is "." or "..")) return "it has a '.' or '..' segment";
        if (segments[0].Length != 0 || segments.Length < 5) return $"it must have the shape {Shape}";
        if (segments.Skip(1).Any(s => s.Length == 0)) return "it has an empty segment (// or a trailing /)";
        if (!segments[1].Equals("subscriptions", StringComparison.OrdinalIgnoreCase) || !Guid.TryParseExact(segments[2], "D", out _))
        {
            return "it does not start with /subscriptions/<subscription-guid>";
        }
        if (!segments[3].Equals("resourceGroups", StringComparison.OrdinalIgnoreCase)) return "it is not in a resource group";
        try
        {
            var parsed = new ResourceIdentifier(id);
            return parsed.ResourceGroupName is null || parsed.ResourceType.ToString().Length == 0 ? $"it must have the shape {Shape}" : null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            return $"it must have the shape {Shape}";
        }
    }
}
