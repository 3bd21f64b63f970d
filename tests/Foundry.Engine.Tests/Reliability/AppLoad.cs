using System.Net.Http.Headers;
using Foundry.Engine.Tests.Lifecycle;

namespace Foundry.Engine.Tests.Reliability;

/// <summary>
/// Simulated app clients: each calls chat completions in a loop with the key the app's Key Vault reference resolves at
/// that moment (what the app's code would send), and counts the answers that are not 200. Started with
/// <see cref="StartFollowingSettings"/>, a client does what app code written for both models does: with the key setting
/// present it sends what that setting holds (the resolved key, or the reference text when App Service could not
/// resolve it); without it, a token of the app's managed identity (the user-assigned one AZURE_CLIENT_ID names, else
/// the system-assigned one), as DefaultAzureCredential would.
/// </summary>
internal sealed class AppLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> clients = new();
    private readonly HttpClient http;
    private readonly TaskCompletionSource firstFailure = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int succeeded;
    private int failed;
    private int[] completedPerClient = Array.Empty<int>();
    private bool followSettings;

    /// <summary>Requests sent with a key and with a token (clients following the settings).</summary>
    public int KeyRequests => Volatile.Read(ref keyRequests);
    public int TokenRequests => Volatile.Read(ref tokenRequests);
    private int keyRequests;
    private int tokenRequests;

    private AppLoad(HttpClient http) => this.http = http;

    public int Succeeded => Volatile.Read(ref succeeded);
    public int Failed => Volatile.Read(ref failed);
    public List<string> FailureSamples { get; } = new();

    /// <summary>Completes when any client's request failed.</summary>
    public Task FirstFailure => firstFailure.Task;

    public static AppLoad StartFollowingSettings(LocalCloud cloud, string site, string keySetting, string endpoint, string deployment, int clientCount) =>
        Start(cloud, site, keySetting, endpoint, deployment, clientCount, followSettings: true);

    public static AppLoad Start(LocalCloud cloud, string site, string setting, string endpoint, string deployment, int clientCount, bool followSettings = false)
    {
        var load = new AppLoad(cloud.DataPlaneHttp()) { completedPerClient = new int[clientCount] };
        var url = $"{endpoint}openai/deployments/{deployment}/chat/completions?api-version=2024-10-21";
        for (var i = 0; i < clientCount; i++)
        {
            var client = i;
            load.followSettings = followSettings;
            load.clients.Add(Task.Run(() => load.RunClientAsync(client, cloud, site, setting, url)));
        }
        return load;
    }

    /// <summary>
    /// Waits until every client has finished a request that read its key after this call began — the moment an app
    /// holds a key in memory is over for all of them. Counting calls of the whole load instead lets one client that the
    /// machine starved of CPU still hold a key from two rotations ago, which is the test's delay, not the rotation's.
    /// </summary>
    public async Task WaitForEveryClientAsync(TimeSpan timeout)
    {
        // The request in flight now may have read its key before; the one after it read the key after this point.
        var targets = completedPerClient.Select(done => done + 2).ToArray();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && Enumerable.Range(0, targets.Length).Any(i => Volatile.Read(ref completedPerClient[i]) < targets[i]))
            await Task.Delay(5);
    }

    /// <summary>Waits until the clients have made at least <paramref name="count"/> more successful calls (the load is really running).</summary>
    public async Task WaitForProgressAsync(int count, TimeSpan timeout)
    {
        var target = Succeeded + count;
        var deadline = DateTime.UtcNow + timeout;
        while (Succeeded < target && DateTime.UtcNow < deadline) await Task.Delay(5);
    }

    private async Task RunClientAsync(int client, LocalCloud cloud, string site, string setting, string url)
    {
        while (!stop.IsCancellationRequested)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new StringContent("{\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}", System.Text.Encoding.UTF8, "application/json"),
            };
            if (followSettings && AppIdentity.TokenFor(cloud, site, setting) is { } token)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                Interlocked.Increment(ref tokenRequests);
            }
            else
            {
                var key = followSettings ? AppIdentity.KeyFor(cloud, site, setting) : cloud.ResolvedValue(site, setting);
                request.Headers.Add("api-key", key ?? "");
                Interlocked.Increment(ref keyRequests);
            }
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            try
            {
                using var response = await http.SendAsync(request, stop.Token);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref succeeded);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                    var sample = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                    lock (FailureSamples) if (FailureSamples.Count < 3) FailureSamples.Add(sample);
                    firstFailure.TrySetResult();
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            Interlocked.Increment(ref completedPerClient[client]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        await Task.WhenAll(clients);
        http.Dispose();
        stop.Dispose();
    }
}
