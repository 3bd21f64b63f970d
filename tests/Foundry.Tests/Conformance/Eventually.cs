using System.Diagnostics;
using Azure;

namespace Foundry.Tests.Conformance;

/// <summary>For propagation tests: retries a call the service refuses until it succeeds, within a limit.</summary>
internal static class Eventually
{
    /// <summary>Retries <paramref name="call"/> every 50 ms while it fails with a service error and <paramref name="limit"/> has not passed; returns how long it took.</summary>
    public static async Task<TimeSpan> SucceedsAsync(Func<Task> call, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await call();
                return clock.Elapsed;
            }
            catch (RequestFailedException) when (clock.Elapsed < limit)
            {
                await Task.Delay(50);
            }
        }
    }
}
