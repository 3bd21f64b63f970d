using Foundry.Tests.Support;
using Xunit.Abstractions;

namespace Foundry.Tests.Traffic;

/// <summary>
/// The emulator's answers (and the requests our tests send) checked by oav against the Azure REST API specs:
/// when the emulator and the spec disagree, the spec wins. Needs the npm tools from .ci/tools (bash .ci/run installs
/// them); without them the test says so and returns, unless FOUNDRY_REQUIRE_OAV=1 (CI), where it fails.
/// </summary>
public sealed class TrafficValidationTests(EmulatorFixture emulator, ITestOutputHelper output) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Emulator_traffic_conforms_to_the_REST_specs()
    {
        if (OavRunner.Oav is null)
        {
            Assert.True(Environment.GetEnvironmentVariable("FOUNDRY_REQUIRE_OAV") != "1", "oav is required (FOUNDRY_REQUIRE_OAV=1) but .ci/tools/node_modules is not installed: run npm ci --prefix .ci/tools.");
            output.WriteLine("oav is not installed (npm ci --prefix .ci/tools): traffic validation not run.");
            return;
        }
        Assert.True(Directory.Exists(OavRunner.SpecsRoot), $"The REST specs are expected beside the repository at {OavRunner.SpecsRoot}.");
        await TrafficScenario.RunAsync(emulator);

        var folder = Path.Combine(Path.GetTempPath(), "foundry-traffic-" + Guid.NewGuid().ToString("n"));
        var problems = new List<string>();
        var records = emulator.Host.Cloud.Log.All;
        foreach (var spec in OavRunner.Specs)
        {
            var (payloads, found) = OavRunner.Validate(spec, records, folder);
            output.WriteLine($"{spec.Name}: {payloads} payloads, {found.Count} problems");
            Assert.True(payloads > 0, $"the scenario produced no traffic for {spec.Name}");
            problems.AddRange(found);
        }
        foreach (var problem in problems) output.WriteLine(problem);
        Assert.Empty(problems);
    }
}
