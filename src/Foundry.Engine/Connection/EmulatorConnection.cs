using System.Text.Json;

namespace Foundry.Engine.Connection;

/// <summary>The local emulator's connection file: where it listens, which certificate to pin, tenant and subscriptions.</summary>
public sealed record EmulatorConnectionInfo(Uri Endpoint, string Thumbprint, string TenantId, IReadOnlyList<string> Subscriptions);

/// <summary>Finds and reads the emulator's connection file.</summary>
public static class EmulatorConnection
{
    /// <summary>Environment variable naming the connection file.</summary>
    public const string PathVariable = "FOUNDRY_EMULATOR_CONNECTION";

    /// <summary>The file path: the argument, else FOUNDRY_EMULATOR_CONNECTION, else ~/.foundry/local/connection.json.</summary>
    public static string ResolvePath(string? path) =>
        !string.IsNullOrWhiteSpace(path) ? path! :
        Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } fromEnv ? fromEnv :
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".foundry", "local", "connection.json");

    /// <summary>
    /// Reads the file; a missing or malformed file, or one left behind by an emulator whose process is gone (killed
    /// before it could remove the file), is an actionable error rather than a connection to a dead port.
    /// </summary>
    public static EmulatorConnectionInfo Read(string? path)
    {
        var file = ResolvePath(path);
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var root = json.RootElement;
            if (root.TryGetProperty("processId", out var owner) && owner.ValueKind == JsonValueKind.Number && !IsRunning(owner.GetInt32()))
            {
                throw new FoundryEngineException(FailureKind.Network, Errors.EngineErrorIds.CloudUnreachable,
                    $"The local emulator's connection file '{file}' was written by process {owner.GetInt32()}, which is no longer running.",
                    "Start the local cloud again (dotnet run --project src/Foundry.Shell -- --emulator) or run commands through foundry-shell, which starts it for you.", target: file);
            }
            var subscriptions = root.GetProperty("subscriptions").EnumerateArray().Select(s => s.GetString() ?? "").ToList();
            return new EmulatorConnectionInfo(new Uri(root.GetProperty("endpoint").GetString()!), root.GetProperty("thumbprint").GetString()!,
                root.GetProperty("tenantId").GetString()!, subscriptions);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException or UriFormatException or ArgumentException)
        {
            throw new FoundryEngineException(FailureKind.Network, Errors.EngineErrorIds.CloudUnreachable, $"The local emulator's connection file '{file}' could not be read: {e.Message}",
                "Start the local cloud (dotnet run --project src/Foundry.Shell -- --emulator) or run commands through foundry-shell, which starts it for you.", target: file, inner: e);
        }
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
