using System.Net;
using System.Text;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Api.Tests.Operations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Api.Tests.Security;

/// <summary>
/// Every endpoint the app maps, from its own endpoint data, called by no token and by each role: the route's policy
/// is the one written down here, a caller without the role gets 401 or 403 problem details that name the role and
/// nothing of the resource, and one with it gets past authorization. A route added without an entry here fails.
/// </summary>
public sealed class RoleMatrixTests(GroceryApiFactory factory) : IClassFixture<GroceryApiFactory>
{
    private const string Open = "open";
    private const string Storefront = GroceryRoles.Storefront;
    private const string Ops = GroceryRoles.Ops;
    private const string Scheduler = GroceryRoles.Scheduler;

    /// <summary>Who may call what: the roles in issue #18's table, route by route.</summary>
    private static readonly Dictionary<string, string[]> Matrix = new()
    {
        ["GET /health/live"] = [Open],
        ["GET /health/ready"] = [Open],
        ["GET /health/startup"] = [Open],
        ["POST /api/webhooks/{provider}"] = [Open],
        ["POST /api/webhooks/couriers/grab"] = [Open],
        ["POST /api/deliveries/{orderId:guid}/fleet-updates"] = [Ops],
        // Development serves the API's description to anyone; elsewhere to ops (ReferenceIsForOpsOutsideDevelopment).
        ["GET /openapi/{documentName}.json"] = [Open],
        ["GET /scalar/{documentName?}"] = [Open],
        ["GET /scalar/scalar.js"] = [Open],
        ["GET /scalar/scalar.aspnetcore.js"] = [Open],
        ["GET /scalar/favicon.svg"] = [Open],
        ["GET /api/stores"] = [Storefront, Ops],
        ["GET /api/stores/{storeId}/products"] = [Storefront, Ops],
        ["GET /api/slots"] = [Storefront, Ops],
        ["POST /api/orders"] = [Storefront],
        ["GET /api/orders"] = [Storefront, Ops],
        ["GET /api/orders/{orderId:guid}"] = [Storefront, Ops],
        ["POST /api/orders/{orderId:guid}/cancel"] = [Storefront, Ops],
        ["POST /api/orders/{orderId:guid}/substitutions/decisions"] = [Storefront],
        ["GET /api/stores/{storeId}/closures"] = [Ops],
        ["PUT /api/stores/{storeId}/closures/{date}"] = [Ops],
        ["DELETE /api/stores/{storeId}/closures/{date}"] = [Ops],
        ["GET /api/sagas"] = [Ops],
        ["GET /api/sagas/{type}"] = [Ops],
        ["GET /api/sagas/{type}/graph"] = [Ops],
        ["GET /api/sagas/{type}/{id:guid}"] = [Ops],
        ["GET /api/failures"] = [Ops],
        ["GET /api/failures/{id:long}"] = [Ops],
        ["POST /api/failures/{id:long}/replay"] = [Ops],
        ["GET /api/features"] = [Ops],
        ["GET /api/jobs"] = [Ops, Scheduler],
        ["POST /api/jobs/{name}/runs"] = [Ops, Scheduler],
        ["GET /api/jobs/{name}/runs"] = [Ops, Scheduler],
        ["GET /api/jobs/{name}/runs/{runId:guid}"] = [Ops, Scheduler],
        ["POST /api/jobs/{name}/pause"] = [Ops],
        ["POST /api/jobs/{name}/resume"] = [Ops],
        ["POST /api/stock/counts"] = [Scheduler],
        ["GET /api/audit"] = [Ops],
    };

    [Fact]
    public void Every_mapped_route_is_in_the_matrix_with_the_policy_it_declares()
    {
        var routes = Routes();
        var unlisted = routes.Keys.Where(r => !Matrix.ContainsKey(r)).ToList();
        unlisted.ShouldBeEmpty($"Routes without an entry in {nameof(RoleMatrixTests)}.{nameof(Matrix)}: decide who may call them.");
        Matrix.Keys.Where(r => !routes.ContainsKey(r)).ShouldBeEmpty("Entries for routes the app does not map.");

        foreach (var (route, endpoint) in routes)
        {
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
            if (Matrix[route] is [Open])
            {
                anonymous.ShouldBeTrue($"{route} is open on purpose and says so");
                continue;
            }

            anonymous.ShouldBeFalse(route);
            policies.Count.ShouldBe(1, $"{route} names exactly one policy");
            policies[0].ShouldBe(PolicyOf(Matrix[route]), route);
        }
    }

    [Fact]
    public async Task Every_route_refuses_callers_without_its_role_and_admits_those_with_it()
    {
        var callers = new Dictionary<string, HttpClient> { ["no token"] = await factory.ClientWith(null) };
        foreach (var role in GroceryRoles.All)
        {
            callers[role] = await factory.Client(role);
        }

        var failures = new List<string>();
        foreach (var route in Routes().Keys)
        {
            var (method, template) = (route[..route.IndexOf(' ', StringComparison.Ordinal)], route[(route.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
            var path = Concrete(template);
            var admitted = Matrix[route];
            foreach (var (caller, client) in callers)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
                if (method is "POST" or "PUT")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                using var response = await client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                var status = (int)response.StatusCode;
                var refusal = caller == "no token" ? "401" : "403";
                var expected = admitted is [Open] || admitted.Contains(caller) ? "admitted" : refusal;
                var outcome = status switch
                {
                    401 when response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                             && response.Headers.WwwAuthenticate.Any(h => h.Scheme == "Bearer") => "401",
                    403 when response.Content.Headers.ContentType?.MediaType == "application/problem+json" => "403",
                    401 or 403 => $"{status} without problem details",
                    >= 500 => $"{status}",
                    _ => "admitted",
                };
                if (outcome != expected)
                {
                    failures.Add($"{route} as {caller}: expected {expected}, was {status} {body}");
                }
                else if (expected is "401" or "403" && !body.Contains(string.Join(" or ", admitted), StringComparison.Ordinal))
                {
                    failures.Add($"{route} as {caller}: the {status} does not name the role needed ({string.Join(" or ", admitted)}): {body}");
                }
            }
        }

        failures.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_refusal_says_the_same_whether_or_not_the_resource_exists()
    {
        using var scheduler = await factory.Client(Scheduler);
        using var storefront = await factory.Client();
        var placed = await StorefrontOrders.OrderIdOf(await StorefrontOrders.Post(storefront, "sandbox", "tok_success"));

        var known = await scheduler.GetAsync(new Uri($"/api/orders/{placed}", UriKind.Relative));
        var unknown = await scheduler.GetAsync(new Uri($"/api/orders/{Guid.NewGuid()}", UriKind.Relative));

        known.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        unknown.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        Scrub(await known.Content.ReadAsStringAsync()).ShouldBe(Scrub(await unknown.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task A_path_that_matches_no_route_is_404_for_any_caller_with_a_role_and_401_without_a_token()
    {
        using var anonymous = await factory.ClientWith(null);
        (await anonymous.GetAsync(new Uri("/api/orders/not-a-guid", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        foreach (var role in GroceryRoles.All)
        {
            using var client = await factory.Client(role);
            var response = await client.PostAsync(new Uri("/api/orders/not-a-guid/substitutions/decisions", UriKind.Relative), null);
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, role);
        }

        using var roleless = await factory.Client(new Host.Security.TokenRequest([]));
        (await roleless.GetAsync(new Uri("/api/nothing-here", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    /// <summary>The trace id differs per request; everything else of the answer must not.</summary>
    private static string Scrub(string body) => System.Text.RegularExpressions.Regex.Replace(body, "\"traceId\":\"[^\"]*\"", "");

    /// <summary>The ops console's routes that anyone may open: its sign-in (and the page after the provider), sign-out, language switch and assets.</summary>
    private static readonly string[] OpenConsoleRoutes = ["GET /ops/sign-in", "GET /ops/sign-in/continue", "GET /ops/sign-out", "GET /ops/language", "GET /ops/assets/{name}"];

    [Fact]
    public async Task Every_console_route_needs_the_consoles_cookie_with_the_ops_role_and_no_bearer_token_opens_one()
    {
        var routes = Routes(console: true);
        routes.Keys.ShouldContain("GET /ops");
        routes.Keys.ShouldContain("GET /ops/orders/{orderId:guid}/live");
        var callers = new Dictionary<string, HttpClient> { ["no token"] = await factory.ClientWith(null) };
        foreach (var role in GroceryRoles.All)
        {
            callers[role] = await factory.Client(role);
        }

        var failures = new List<string>();
        foreach (var (route, endpoint) in routes)
        {
            if (OpenConsoleRoutes.Contains(route))
            {
                endpoint.Metadata.GetMetadata<IAllowAnonymous>().ShouldNotBeNull($"{route} is open on purpose and says so");
                continue;
            }

            endpoint.Metadata.GetMetadata<IAllowAnonymous>().ShouldBeNull(route);
            endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).Distinct().ShouldBe([OpsConsole.Security.ConsoleAuthentication.Policy], route);
            foreach (var (caller, client) in callers)
            {
                // The console sends a caller without its cookie to its sign-in page (the test client follows the redirect).
                using var response = await client.GetAsync(new Uri(Concrete(route[4..]), UriKind.Relative));
                if (response.RequestMessage?.RequestUri?.AbsolutePath != "/ops/sign-in")
                {
                    failures.Add($"{route} as {caller} with a bearer token: {(int)response.StatusCode} at {response.RequestMessage?.RequestUri}");
                }
            }
        }

        failures.ShouldBeEmpty();
    }

    private Dictionary<string, RouteEndpoint> Routes(bool console = false)
    {
        var routes = new Dictionary<string, RouteEndpoint>();
        foreach (var endpoint in factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var template = "/" + (endpoint.RoutePattern.RawText ?? "").Trim('/');
            if (OpsConsolePath.Is(template) != console)
            {
                continue;
            }

            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                routes[$"{method} {template}"] = endpoint;
            }
        }

        return routes;
    }

    private static string PolicyOf(string[] roles) => string.Join(",", roles.Order()) switch
    {
        "storefront" => GroceryPolicies.Storefront,
        "ops" => GroceryPolicies.Ops,
        "scheduler" => GroceryPolicies.Scheduler,
        "ops,storefront" => GroceryPolicies.StorefrontOrOps,
        "ops,scheduler" => GroceryPolicies.OpsOrScheduler,
        var other => throw new ArgumentOutOfRangeException(nameof(roles), other, "no policy admits exactly these roles"),
    };

    /// <summary>The route with its parameters filled in with values that pass routing.</summary>
    private static string Concrete(string template)
    {
        var path = template
            .Replace("{orderId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{id:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{runId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{id:long}", "987654321", StringComparison.Ordinal)
            .Replace("{type}", "Order", StringComparison.Ordinal)
            .Replace("{name}", "slot-generation", StringComparison.Ordinal)
            .Replace("{provider}", "stripe", StringComparison.Ordinal)
            .Replace("{storeId}", GroceryApiFactory.Store, StringComparison.Ordinal)
            .Replace("{date}", DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{documentName}", "v1", StringComparison.Ordinal)
            .Replace("{documentName?}", "", StringComparison.Ordinal);
        path.ShouldNotContain("{", customMessage: $"Fill in the parameters of {template} in {nameof(Concrete)}.");
        return path;
    }
}
