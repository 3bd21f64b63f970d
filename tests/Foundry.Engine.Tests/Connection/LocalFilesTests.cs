using System.Diagnostics;
using Foundry.Engine;
using Foundry.Engine.Audit;
using Foundry.Engine.Connection;

namespace Foundry.Engine.Tests.Connection;

/// <summary>
/// Local files: a connection file left behind by an emulator that was killed never sends the engine to a dead port
/// (it says so instead), and the audit log the engine creates is readable by its owner only.
/// </summary>
public sealed class LocalFilesTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "foundry-files-" + Guid.NewGuid().ToString("n"));

    public LocalFilesTests() => Directory.CreateDirectory(folder);

    [Fact]
    public async Task A_connection_file_whose_emulator_process_is_gone_is_CloudUnreachable_naming_that_process()
    {
        using var finished = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true })!;
        await finished.StandardOutput.ReadToEndAsync();
        await finished.WaitForExitAsync();
        var file = Path.Combine(folder, "connection.json");
        File.WriteAllText(file, $$"""
            {"endpoint":"https://localhost:45678/","thumbprint":"AB","tenantId":"t","subscriptions":["s"],"processId":{{finished.Id}},"controlToken":"x"}
            """);

        var error = Assert.Throws<FoundryEngineException>(() => EmulatorConnection.Read(file));
        Assert.Equal(("CloudUnreachable", FailureKind.Network), (error.ErrorId, error.Kind));
        Assert.Contains($"process {finished.Id}", error.Message);

        File.WriteAllText(file, File.ReadAllText(file).Replace($"\"processId\":{finished.Id}", $"\"processId\":{Environment.ProcessId}"));
        Assert.Equal(45678, EmulatorConnection.Read(file).Endpoint.Port);
    }

    [Fact]
    public void The_audit_log_is_created_readable_by_its_owner_only()
    {
        if (OperatingSystem.IsWindows()) return; // Unix file modes; Windows files inherit the profile folder's ACL.
        var path = Path.Combine(folder, "logs", "audit.jsonl");
        var log = new AuditLog(path);
        log.Write(new AuditRecord(DateTimeOffset.UtcNow, "dev", "Create", "/subscriptions/s/resourceGroups/rg", "Succeeded", "c1"));
        log.Write(new AuditRecord(DateTimeOffset.UtcNow, "dev", "Create", "/subscriptions/s/resourceGroups/rg2", "Succeeded", "c1"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(2, File.ReadAllLines(path).Length);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
