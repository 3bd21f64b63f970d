using System.Text.Json.Nodes;
using Foundry.Emulator.Control;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.CognitiveServices;

/// <summary>
/// Deleted AI accounts: kept 48 hours with their keys, subdomain and deployments' quota; listed, read, purged
/// (a long-running DELETE) or restored by a PUT with properties.restore = true.
/// </summary>
internal static class SoftDelete
{
    private const string Sub = "/subscriptions/(?<sub>[^/]+)";
    private const string Deleted = Sub + "/providers/Microsoft.CognitiveServices/locations/(?<loc>[^/]+)/resourcegroups/(?<rg>[^/]+)/deletedAccounts/(?<name>[^/]+)";
    public static readonly TimeSpan Retention = TimeSpan.FromHours(48);

    public static void Register(RouteTable routes, LocalCloud cloud)
    {
        var options = new RouteOptions { ApiVersionOf = CognitiveServicesArea.AccountType };
        routes.Map(ServiceKind.Management, "GET", Sub + "/providers/Microsoft.CognitiveServices/deletedAccounts", c =>
        {
            Arm.Arm.RequireSubscription(c, c["sub"]);
            return Arm.Arm.Page(c, c.State.DeletedAccounts.Values.Where(d => d.Account.SubscriptionId.Equals(c["sub"], StringComparison.OrdinalIgnoreCase))
                .OrderBy(d => d.Account.Id, StringComparer.OrdinalIgnoreCase).Select(d => (JsonNode)Json(d)));
        }, options);
        routes.Map(ServiceKind.Management, "GET", Deleted, c => Find(c) is { } deleted ? EmulatorResponse.Json(200, Json(deleted)) : NotFound(c), options);
        routes.Map(ServiceKind.Management, "DELETE", Deleted, Purge, options);
        cloud.OnOperationComplete("deletedAccounts.purge", (c, operation) => c.State.DeletedAccounts.Remove(EmulatorState.Key(operation.ResourceId)));
    }

    /// <summary>Delete hook: the account moves to the deleted list with its keys and deployments.</summary>
    public static void OnAccountDeleted(LocalCloud cloud, ArmResource account)
    {
        var key = EmulatorState.Key(account.Id);
        var keys = cloud.State.AccountKeys.TryGetValue(key, out var k) ? k : new AccountKeys { Key1 = CognitiveServicesArea.NewKey(), Key2 = CognitiveServicesArea.NewKey() };
        var deployments = cloud.State.Descendants(account.Id).Where(r => r.Type == CognitiveServicesArea.DeploymentType).ToList();
        cloud.State.DeletedAccounts[key] = new DeletedAccount
        {
            Account = account,
            Keys = keys,
            Deployments = deployments,
            DeletionDate = cloud.Now,
            ScheduledPurgeDate = cloud.Now + Retention,
        };
        cloud.State.AccountKeys.Remove(key);
    }

    /// <summary>PUT with restore = true: the account comes back with its keys, subdomain and deployments.</summary>
    public static EmulatorResponse Restore(RequestContext c, DeletedAccount deleted)
    {
        var key = EmulatorState.Key(deleted.Account.Id);
        c.State.DeletedAccounts.Remove(key);
        var account = deleted.Account;
        account.ProvisioningState = "Creating";
        account.Touch(c.Now);
        c.State.Put(account);
        foreach (var deployment in deleted.Deployments) c.State.Put(deployment);
        c.State.AccountKeys[key] = deleted.Keys;
        var operation = c.Cloud.StartOperation(account.SubscriptionId, "Microsoft.CognitiveServices", account.Location, account.Id, "accounts.create", $"{CognitiveServicesArea.AccountType}:create", "Creating");
        return EmulatorResponse.Json(201, account.ToJson()).WithHeader("azure-asyncoperation", Arm.Arm.AsyncOperationUrl(c, operation));
    }

    private static DeletedAccount? Find(RequestContext c)
    {
        Arm.Arm.RequireSubscription(c, c["sub"]);
        var id = ResourceIds.Resource(c["sub"], c["rg"], CognitiveServicesArea.AccountType, c["name"]);
        return c.State.DeletedAccounts.TryGetValue(EmulatorState.Key(id), out var deleted) &&
               string.Equals(deleted.Account.Location, c["loc"], StringComparison.OrdinalIgnoreCase) ? deleted : null;
    }

    private static EmulatorResponse Purge(RequestContext c)
    {
        var deleted = Find(c);
        if (deleted is null) return EmulatorResponse.Empty(204);
        var running = c.State.Operations.Values.FirstOrDefault(o => o.Handler == "deletedAccounts.purge" && !o.IsTerminal && o.ResourceId == deleted.Account.Id)
            ?? c.Cloud.StartOperation(c["sub"], "Microsoft.CognitiveServices", deleted.Account.Location, deleted.Account.Id, "deletedAccounts.purge",
                "Microsoft.CognitiveServices/deletedAccounts:purge", "Deleting");
        return EmulatorResponse.Empty(202)
            .WithHeader("azure-asyncoperation", Arm.Arm.AsyncOperationUrl(c, running))
            .WithHeader("Location", Arm.Arm.LocationUrl(c, running))
            .WithHeader("Retry-After", Arm.Arm.RetryAfter(c.Cloud, running));
    }

    private static EmulatorResponse NotFound(RequestContext c) =>
        AzureError.Arm(404, "ResourceNotFound", $"The Resource 'Microsoft.CognitiveServices/locations/{c["loc"]}/resourceGroups/{c["rg"]}/deletedAccounts/{c["name"]}' was not found.");

    private static JsonObject Json(DeletedAccount deleted)
    {
        var body = deleted.Account.ToJson();
        body["id"] = $"/subscriptions/{deleted.Account.SubscriptionId}/providers/Microsoft.CognitiveServices/locations/{deleted.Account.Location}/resourceGroups/{deleted.Account.ResourceGroup}/deletedAccounts/{deleted.Account.Name}";
        var properties = (JsonObject)body["properties"]!;
        properties["deletionDate"] = deleted.DeletionDate.UtcDateTime.ToString("o");
        properties["scheduledPurgeDate"] = deleted.ScheduledPurgeDate.UtcDateTime.ToString("o");
        properties["provisioningState"] = "Succeeded";
        return body;
    }
}
