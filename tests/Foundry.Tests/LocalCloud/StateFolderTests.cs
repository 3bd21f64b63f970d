using System.Net.Http.Headers;
using Foundry.Emulator;
using Foundry.Emulator.Hosting;
using Foundry.Tests.Support;

namespace Foundry.Tests.LocalCloud;

/// <summary>
/// One emulator per state folder: a second start on a folder in use is refused (it would load its own copy of
/// state.json and the last to save would drop the other's writes); LocalCloudFolder joins the running one instead.
/// The files holding keys and the control token are the user's alone.
/// </summary>
public sealed class StateFolderTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "foundry-folder-" + Guid.NewGuid().ToString("n"));

    private string StateFile => Path.Combine(folder, "state.json");
    private string ConnectionFile => Path.Combine(folder, "connection.json");

    [Fact]
    public async Task A_second_emulator_on_a_state_folder_in_use_is_refused_and_the_first_keeps_its_writes()
    {
        await using var first = await EmulatorHost.StartAsync(new EmulatorOptions { StateFile = StateFile, ConnectionFile = ConnectionFile });
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            await using var second = await EmulatorHost.StartAsync(new EmulatorOptions { StateFile = StateFile, ConnectionFile = ConnectionFile });
        });
        await CreateGroupAsync(first.ManagementEndpoint, first.CertificateThumbprint, "rg-first");
        Assert.Contains("rg-first", await File.ReadAllTextAsync(StateFile));
        Assert.Equal(Environment.ProcessId, EmulatorConnection.TryRead(ConnectionFile)!.ProcessId);
        Assert.Equal(first.Port, new Uri(EmulatorConnection.TryRead(ConnectionFile)!.Endpoint).Port);
    }

    [Fact]
    public async Task Twenty_pairs_of_concurrent_starts_on_one_folder_lose_no_environment()
    {
        const int Pairs = 20;
        var joined = 0;
        async Task RunAsync(int index)
        {
            await using var cloud = await LocalCloudFolder.OpenAsync(folder, new EmulatorOptions(), mustOwn: false, TimeSpan.FromSeconds(60));
            if (cloud.Joined) Interlocked.Increment(ref joined);
            var connection = EmulatorConnection.TryRead(cloud.ConnectionFile)!;
            await CreateGroupAsync(new Uri(connection.Endpoint), connection.Thumbprint, $"rg-pair-{index}");
        }
        for (var pair = 0; pair < Pairs; pair++) await Task.WhenAll(RunAsync(2 * pair), RunAsync(2 * pair + 1));

        var state = await File.ReadAllTextAsync(StateFile);
        var lost = Enumerable.Range(0, 2 * Pairs).Where(i => !state.Contains($"/resourceGroups/rg-pair-{i}\"", StringComparison.OrdinalIgnoreCase)).ToList();
        output.WriteLine($"{Pairs} pairs: {2 * Pairs - lost.Count} of {2 * Pairs} environments kept, {joined} runs joined a running emulator");
        Assert.True(lost.Count == 0, $"lost {lost.Count} of {2 * Pairs}: {string.Join(", ", lost)} ({joined} runs joined a running emulator)");
        Assert.False(File.Exists(ConnectionFile), "the last emulator to stop removes its connection file");
    }

    [Fact]
    public async Task The_connection_file_goes_with_its_emulator_so_it_never_names_a_dead_port()
    {
        var host = await EmulatorHost.StartAsync(new EmulatorOptions { StateFile = StateFile, ConnectionFile = ConnectionFile });
        Assert.Equal(host.ControlToken, EmulatorConnection.TryRead(ConnectionFile)!.ControlToken);
        await host.DisposeAsync();
        Assert.False(File.Exists(ConnectionFile));
        await using var next = await EmulatorHost.StartAsync(new EmulatorOptions { StateFile = StateFile, ConnectionFile = ConnectionFile });
        Assert.Equal(next.Port, new Uri(EmulatorConnection.TryRead(ConnectionFile)!.Endpoint).Port);
    }

    [Fact]
    public async Task State_and_connection_files_are_created_readable_by_their_owner_only()
    {
        if (OperatingSystem.IsWindows()) return; // Unix file modes; Windows files inherit the profile folder's ACL.
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { StateFile = StateFile, ConnectionFile = ConnectionFile });
        await CreateGroupAsync(host.ManagementEndpoint, host.CertificateThumbprint, "rg-private");
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(StateFile));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(ConnectionFile));
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
    }

    [Fact]
    public async Task A_restart_on_the_same_folder_keeps_the_certificate_so_a_pinned_client_still_connects()
    {
        string pinned;
        await using (var first = await EmulatorHost.StartAsync(new EmulatorOptions { StateFile = StateFile, ConnectionFile = ConnectionFile }))
        {
            pinned = EmulatorConnection.TryRead(ConnectionFile)!.Thumbprint;
        }
        await using var restarted = await EmulatorHost.StartAsync(new EmulatorOptions { StateFile = StateFile, ConnectionFile = ConnectionFile });
        Assert.Equal(pinned, restarted.CertificateThumbprint);
        // What a connected pwsh session does: it keeps the thumbprint it pinned at Connect-Foundry time.
        await CreateGroupAsync(restarted.ManagementEndpoint, pinned, "rg-after-restart");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "certificate.pfx")));
        }

        var otherFolder = Path.Combine(Path.GetTempPath(), "foundry-folder-" + Guid.NewGuid().ToString("n"));
        try
        {
            await using var fresh = await EmulatorHost.StartAsync(new EmulatorOptions { StateFile = Path.Combine(otherFolder, "state.json") });
            Assert.NotEqual(pinned, fresh.CertificateThumbprint);
        }
        finally
        {
            Directory.Delete(otherFolder, recursive: true);
        }
    }

    private static async Task CreateGroupAsync(Uri endpoint, string thumbprint, string name)
    {
        using var http = new HttpClient(LocalTransport.CreateHandler(thumbprint, endpoint.Port)) { BaseAddress = endpoint };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", EmulatorFixture.Operator);
        var reply = await http.SendAsync(HttpMethod.Put, $"/subscriptions/{EmulatorOptions.DefaultSubscriptions[0]}/resourcegroups/{name}?api-version=2025-04-01", "{\"location\":\"eastus\"}");
        Assert.Equal(201, reply.Status);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
