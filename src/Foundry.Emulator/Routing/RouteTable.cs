using System.Text.RegularExpressions;
using Foundry.Emulator.Control;

namespace Foundry.Emulator.Routing;

/// <summary>
/// Regex routes rather than ASP.NET templates: ARM puts variable scopes in the middle of paths
/// ({scope}/providers/Microsoft.Authorization/roleAssignments/{name}), matches case-insensitively, and
/// the first route registered wins, so specific providers are mapped before the generic resource route.
/// </summary>
public sealed class RouteTable
{
    private readonly List<Route> routes = new();

    /// <summary>Maps a route. <paramref name="pattern"/> is an anchored regex over the path, with named groups.</summary>
    public void Map(ServiceKind service, string method, string pattern, Func<RequestContext, EmulatorResponse> handler, RouteOptions? options = null) =>
        routes.Add(new Route(service, method.ToUpperInvariant(),
            new Regex("^" + pattern.TrimStart('^').TrimEnd('$') + "/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled),
            handler, options ?? new RouteOptions()));

    internal (Route? Route, Match? Match, bool PathMatched) Find(ServiceKind service, string method, string path)
    {
        var pathMatched = false;
        foreach (var route in routes)
        {
            if (route.Service != service) continue;
            var match = route.Pattern.Match(path);
            if (!match.Success) continue;
            pathMatched = true;
            if (route.Method == method || (method == "HEAD" && route.Method == "GET")) return (route, match, true);
        }
        return (null, null, pathMatched);
    }

    internal sealed record Route(ServiceKind Service, string Method, Regex Pattern, Func<RequestContext, EmulatorResponse> Handler, RouteOptions Options);
}

/// <summary>How a route is served.</summary>
public sealed class RouteOptions
{
    /// <summary>A POST that reads only (listKeys, appsettings/list, Resource Graph queries): not counted as a write.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>
    /// The resource type whose api-versions this route accepts (checked against <see cref="Arm.ProviderCatalog"/>);
    /// null skips the check: operation status URLs, because the SDK rewrites their api-version to its own.
    /// </summary>
    public string? ApiVersionOf { get; init; }

    /// <summary>Whether the api-version query parameter must be present (every Resource Manager call but status URLs).</summary>
    public bool RequiresApiVersion { get; init; } = true;
}
