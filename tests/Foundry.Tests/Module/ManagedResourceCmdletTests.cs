using Foundry.Tests.Support;
using Xunit.Abstractions;

namespace Foundry.Tests.Module;

/// <summary>Get-/Remove-FoundryManagedResource at scale and against stale Resource Graph rows.</summary>
[Collection(ModuleCollection.Name)]
public sealed class ManagedResourceCmdletTests(ModuleRunspace module, ITestOutputHelper output) : IClassFixture<ModuleRunspace>
{
    /// <summary>Called from the pipeline for each object: remembers when the first arrived and how many Graph pages had been requested then.</summary>
    public sealed class Probe(Foundry.Emulator.EmulatorHost host)
    {
        private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
        public List<string> Ids { get; } = new();
        public int PagesAtFirst { get; private set; } = -1;
        public double FirstMs { get; private set; }

        public void Seen(string id)
        {
            if (Ids.Count == 0)
            {
                FirstMs = clock.Elapsed.TotalMilliseconds;
                PagesAtFirst = host.Cloud.Log.All.Count(r => r.PathAndQuery.StartsWith("/providers/Microsoft.ResourceGraph/resources", StringComparison.Ordinal));
            }
            Ids.Add(id);
        }

        public double TotalMs => clock.Elapsed.TotalMilliseconds;
    }

    [Fact]
    public void Twenty_five_hundred_resources_over_three_subscriptions_stream_out_once_each_from_the_first_page()
    {
        var seeded = GraphSeed.Managed(module.Host, 2500, "pr-90");
        // One small query first, so the timing below measures paging rather than the engine's one-time load and JIT.
        Assert.Empty(module.Invoke("Get-FoundryManagedResource -Environment pr-89 -SubscriptionId $subs", new Dictionary<string, object?> { ["subs"] = module.Host.Subscriptions.ToArray() }).Errors);
        var probe = new Probe(module.Host);
        var graphBefore = module.Host.Cloud.Log.All.Count(r => r.PathAndQuery.StartsWith("/providers/Microsoft.ResourceGraph/resources", StringComparison.Ordinal));
        var result = module.Invoke("Get-FoundryManagedResource -Environment pr-90 -SubscriptionId $subs -ResourceType Microsoft.Storage/storageAccounts | ForEach-Object { $probe.Seen($_.ResourceId) }",
            new Dictionary<string, object?> { ["subs"] = module.Host.Subscriptions.ToArray(), ["probe"] = probe });
        var total = probe.TotalMs;
        Assert.Empty(result.Errors);
        Assert.Equal(2500, probe.Ids.Count);
        Assert.Equal(seeded.OrderBy(i => i, StringComparer.OrdinalIgnoreCase), probe.Ids.OrderBy(i => i, StringComparer.OrdinalIgnoreCase));
        var pages = module.Host.Cloud.Log.All.Count(r => r.PathAndQuery.StartsWith("/providers/Microsoft.ResourceGraph/resources", StringComparison.Ordinal)) - graphBefore;
        Assert.Equal(3, pages);
        Assert.Equal(graphBefore + 1, probe.PagesAtFirst);
        output.WriteLine($"first object after {probe.FirstMs:F0} ms of {total:F0} ms: ratio {probe.FirstMs / total:F3}; {pages} pages; first object arrived when {probe.PagesAtFirst - graphBefore} page(s) had been requested");
    }

    [Fact]
    public void Piped_removal_skips_a_resource_whose_tag_is_gone_although_Resource_Graph_still_lists_it_and_WhatIf_changes_nothing()
    {
        var ids = GraphSeed.Managed(module.Host, 5, "pr-91");
        lock (module.Host.Cloud.Sync)
        {
            var resource = module.Host.Cloud.State.Find(ids[0])!;
            resource.StaleGraphRow = Foundry.Emulator.ResourceGraph.ResourceGraphArea.Row(resource, module.Host.TenantId);
            resource.Tags!.Remove("foundry-managed");
        }
        var mark = module.Host.Cloud.Log.All.Count;
        var plan = module.Invoke("Get-FoundryManagedResource -Environment pr-91 -SubscriptionId $subs | Remove-FoundryManagedResource -WhatIf",
            new Dictionary<string, object?> { ["subs"] = module.Host.Subscriptions.ToArray() });
        Assert.Empty(plan.Errors);
        Assert.Equal(5, plan.Objects("FoundryResourceDeletion").Count(d => ModuleRunspace.Prop<string>(d, "Status") == "planned"));
        Assert.Equal(0, module.Host.Cloud.Log.All.Skip(mark).Count(r => r.Mutating));

        var removal = module.Invoke("Get-FoundryManagedResource -Environment pr-91 -SubscriptionId $subs | Remove-FoundryManagedResource -Confirm:$false",
            new Dictionary<string, object?> { ["subs"] = module.Host.Subscriptions.ToArray() });
        Assert.Empty(removal.Errors);
        var deletions = removal.Objects("FoundryResourceDeletion").ToDictionary(d => ModuleRunspace.Prop<string>(d, "ResourceId"), d => ModuleRunspace.Prop<string>(d, "Status"));
        Assert.Equal("skipped", deletions[ids[0]]);
        Assert.All(ids.Skip(1), id => Assert.Equal("deleted", deletions[id]));
        Assert.Equal("Verified", ModuleRunspace.Prop<string>(Assert.Single(removal.Objects("FoundryCleanupReport")), "Status"));
        lock (module.Host.Cloud.Sync) Assert.NotNull(module.Host.Cloud.State.Find(ids[0]));
    }

    [Fact]
    public void Removing_an_environment_keeps_its_group_that_holds_an_untagged_resource_says_why_and_deletes_the_managed_one_inside()
    {
        var subscription = module.Host.DefaultSubscription;
        var groupId = $"/subscriptions/{subscription}/resourceGroups/rg-contoso-pr-93";
        string Put(string id, string type, Dictionary<string, string>? tags)
        {
            var resource = new Foundry.Emulator.State.ArmResource
            {
                Id = id, Name = id.Split('/').Last(), Type = type, SubscriptionId = subscription, ResourceGroup = "rg-contoso-pr-93", Location = "eastus",
                CreatedAt = module.Host.Cloud.Now, UpdatedAt = module.Host.Cloud.Now, Tags = tags, ProvisioningState = "Succeeded",
            };
            module.Host.Cloud.State.Put(resource);
            return id;
        }
        Dictionary<string, string> Managed() => new(StringComparer.OrdinalIgnoreCase) { ["foundry-managed"] = "true", ["foundry-env"] = "pr-93", ["foundry-app"] = "contoso" };
        string managed, foreign;
        lock (module.Host.Cloud.Sync)
        {
            Put(groupId, "Microsoft.Resources/resourceGroups", Managed());
            managed = Put($"{groupId}/providers/Microsoft.Storage/storageAccounts/stpr93", "Microsoft.Storage/storageAccounts", Managed());
            foreign = Put($"{groupId}/providers/Microsoft.Storage/storageAccounts/stteamdata93", "Microsoft.Storage/storageAccounts", new(StringComparer.OrdinalIgnoreCase) { ["owner"] = "data-team" });
        }

        var removal = module.Invoke("Remove-FoundryManagedResource -Environment pr-93 -Confirm:$false");

        Assert.Empty(removal.Errors);
        var kept = Assert.Single(removal.Objects("FoundryResourceDeletion"), d => ModuleRunspace.Prop<string>(d, "Status") == "kept");
        Assert.Equal(groupId, ModuleRunspace.Prop<string>(kept, "ResourceId"), ignoreCase: true);
        Assert.Contains("stteamdata93", ModuleRunspace.Prop<string>(kept, "Error"));
        Assert.Contains(removal.Streams.Warning, w => w.Message.Contains("rg-contoso-pr-93", StringComparison.Ordinal) && w.Message.Contains("stteamdata93", StringComparison.Ordinal));
        var report = Assert.Single(removal.Objects("FoundryCleanupReport"));
        Assert.Equal("Verified", ModuleRunspace.Prop<string>(report, "Status"));
        Assert.Single((System.Collections.IEnumerable)report.Properties["Kept"].Value);
        lock (module.Host.Cloud.Sync)
        {
            Assert.NotNull(module.Host.Cloud.State.Find(groupId));
            Assert.NotNull(module.Host.Cloud.State.Find(foreign));
            Assert.Null(module.Host.Cloud.State.Find(managed));
        }
    }

    [Fact]
    public void WhatIfPreference_makes_removal_a_plan_even_with_Force_and_WhatIf_false_really_removes()
    {
        var ids = GraphSeed.Managed(module.Host, 3, "pr-92");
        var subs = new Dictionary<string, object?> { ["subs"] = module.Host.Subscriptions.ToArray() };
        var mark = module.Host.Cloud.Log.All.Count;
        var plan = module.Invoke("$WhatIfPreference = $true; try { Get-FoundryManagedResource -Environment pr-92 -SubscriptionId $subs | Remove-FoundryManagedResource -Force } finally { $WhatIfPreference = $false }", subs);
        Assert.Empty(plan.Errors);
        Assert.Equal(3, plan.Objects("FoundryResourceDeletion").Count(d => ModuleRunspace.Prop<string>(d, "Status") == "planned"));
        Assert.Equal(0, module.Host.Cloud.Log.All.Skip(mark).Count(r => r.Mutating));

        var removal = module.Invoke("Get-FoundryManagedResource -Environment pr-92 -SubscriptionId $subs | Remove-FoundryManagedResource -WhatIf:$false -Confirm:$false", subs);
        Assert.Empty(removal.Errors);
        Assert.All(ids, id => Assert.Contains(removal.Objects("FoundryResourceDeletion"), d => ModuleRunspace.Prop<string>(d, "ResourceId") == id && ModuleRunspace.Prop<string>(d, "Status") == "deleted"));
    }
}
