using System.Text.Json;

namespace Foundry.Engine.Connection;

/// <summary>The local emulator's connection file: where it listens, which certificate to pin, tenant and subscriptions.</summary>
public sealed record EmulatorConnectionInfo(Uri Endpoint, string Thumbprint, string TenantId, IReadOnlyList<string> Subscriptions);

/// <summary>Finds and reads the emulator's connection file.</summary>
public static class EmulatorConnection
{
    /// <summary>Environment variable naming the connection file.</summary>
    public const string PathVariable = "FOUNDRY_EMULATOR_CONNECTION";

    /// <summary>Environment variable naming the local cloud's state folder (foundry-shell's --state-dir), which holds connection.json.</summary>
    public const string FolderVariable = "FOUNDRY_LOCAL_DIR";

    /// <summary>
    /// The file path, by the rule every FOUNDRY_* variable follows (README, Connect-Foundry help): a parameter beats
    /// the environment variable, which beats the default. Here: the argument, else FOUNDRY_EMULATOR_CONNECTION (the
    /// file), else FOUNDRY_LOCAL_DIR/connection.json (the folder foundry-shell writes it to), else ~/.foundry/local/connection.json.
    /// </summary>
    public static string ResolvePath(string? path) => ResolvePath(path, Environment.GetEnvironmentVariable);

    /// <summary><see cref="ResolvePath(string?)"/> with the environment read through <paramref name="variable"/> (tests).</summary>
    public static string ResolvePath(string? path, Func<string, string?> variable)
    {
        if (variable is null) throw new ArgumentNullException(nameof(variable));
        if (!string.IsNullOrWhiteSpace(path)) return path!;
        if (variable(PathVariable) is { Length: > 0 } file) return file;
        if (variable(FolderVariable) is { Length: > 0 } folder) return Path.Combine(folder, "connection.json");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".foundry", "local", "connection.json");
    }

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
