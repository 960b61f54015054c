using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Host.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Api.Tests.Security;

/// <summary>
/// What narrows a role: a storefront token with a customer claim acts for that customer only, and a token with a
/// stores claim for those stores only. Another customer's order is answered as if it did not exist.
/// </summary>
public sealed class ScopeTests(GroceryApiFactory factory) : IClassFixture<GroceryApiFactory>
{
    [Fact]
    public async Task A_customer_token_places_reads_and_cancels_its_own_orders_and_no_one_elses()
    {
        using var lan = await factory.Client(GroceryRoles.Storefront, customer: "cust-lan");
        using var minh = await factory.Client(GroceryRoles.Storefront, customer: "cust-minh");

        var forMinh = await Post(lan, "cust-minh");
        forMinh.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await forMinh.Content.ReadAsStringAsync()).ShouldContain("one customer");

        var own = await Post(lan, "cust-lan");
        own.StatusCode.ShouldBe(HttpStatusCode.Accepted, await own.Content.ReadAsStringAsync());
        var orderId = (await own.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
        (await lan.GetAsync(new Uri($"/api/orders/{orderId}", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Minh cannot tell Lan's order from one that does not exist.
        var stranger = await minh.GetAsync(new Uri($"/api/orders/{orderId}", UriKind.Relative));
        var none = await minh.GetAsync(new Uri($"/api/orders/{Guid.Empty}", UriKind.Relative));
        stranger.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        none.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await stranger.Content.ReadAsStringAsync()).ShouldNotContain("cust-lan");
        (await minh.PostAsync(new Uri($"/api/orders/{orderId}/cancel", UriKind.Relative), null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await minh.PostAsJsonAsync(new Uri($"/api/orders/{orderId}/substitutions/decisions", UriKind.Relative),
            new { decisions = new[] { new { sku = "DAI-00001", approve = true } } })).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var minhsList = await minh.GetFromJsonAsync<JsonElement>(new Uri("/api/orders?limit=500", UriKind.Relative));
        minhsList.GetProperty("items").EnumerateArray().ShouldAllBe(o => o.GetProperty("customerId").GetString() == "cust-minh");
        var lansList = await lan.GetFromJsonAsync<JsonElement>(new Uri("/api/orders?limit=500", UriKind.Relative));
        lansList.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("orderId").GetGuid()).ShouldContain(orderId);
        lansList.GetProperty("items").EnumerateArray().ShouldAllBe(o => o.GetProperty("customerId").GetString() == "cust-lan");

        // Lan's own cancel reaches the command: accepted while the order can be cancelled, or refused as too late once
        // a picker has started (the simulator picks at once), never forbidden or not found.
        var cancel = await lan.PostAsync(new Uri($"/api/orders/{orderId}/cancel", UriKind.Relative), null);
        cancel.StatusCode.ShouldBeOneOf(HttpStatusCode.Accepted, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task The_storefront_backend_acts_for_any_customer()
    {
        using var backend = await factory.Client(GroceryRoles.Storefront);

        (await Post(backend, "cust-anyone")).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await Post(backend, "cust-someone-else")).StatusCode.ShouldBe(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task An_operator_limited_to_stores_sees_and_steers_those_stores_only()
    {
        using var storefront = await factory.Client(GroceryRoles.Storefront);
        var accepted = await Post(storefront, "cust-scoped");
        var orderId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
        using var here = await factory.Client(GroceryRoles.Ops, null, GroceryApiFactory.Store);
        using var elsewhere = await factory.Client(GroceryRoles.Ops, null, GroceryApiFactory.OtherStore);

        (await here.GetAsync(new Uri($"/api/orders/{orderId}", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var refused = await elsewhere.GetAsync(new Uri($"/api/orders/{orderId}", UriKind.Relative));
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await elsewhere.PostAsync(new Uri($"/api/orders/{orderId}/cancel", UriKind.Relative), null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var list = await elsewhere.GetFromJsonAsync<JsonElement>(new Uri("/api/orders?limit=500", UriKind.Relative));
        list.GetProperty("items").EnumerateArray().ShouldAllBe(o => o.GetProperty("storeId").GetString() == GroceryApiFactory.OtherStore);

        var closure = $"/api/stores/{GroceryApiFactory.Store}/closures/{DateTime.UtcNow.AddDays(40):yyyy-MM-dd}";
        (await elsewhere.PutAsJsonAsync(new Uri(closure, UriKind.Relative), new { reason = "Flood" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await elsewhere.GetAsync(new Uri($"/api/stores/{GroceryApiFactory.Store}/closures", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await elsewhere.GetAsync(new Uri($"/api/slots?storeId={GroceryApiFactory.Store}&date=2030-01-01", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await here.PutAsJsonAsync(new Uri(closure, UriKind.Relative), new { reason = "Flood" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await factory.Query(db => Task.FromResult(db.StoreClosures.Count(c => c.StoreId == GroceryApiFactory.Store)))).ShouldBe(1);

        // A job's schedule is every store's: pausing it, or a run of every store, needs an operator of every store.
        (await here.PostAsync(new Uri("/api/jobs/slot-generation/pause", UriKind.Relative), null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await here.PostAsJsonAsync(new Uri("/api/jobs/slot-generation/runs", UriKind.Relative), new { })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await elsewhere.PostAsJsonAsync(new Uri("/api/jobs/slot-generation/runs", UriKind.Relative), new { storeId = GroceryApiFactory.Store }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Tokens_that_are_not_the_engines_are_refused_with_401()
    {
        using var anonymous = await factory.ClientWith(null);
        var token = factory.Token(new(["ops"]));
        var forged = token[..^4] + (token[^4] == 'A' ? "BBBB" : "AAAA");
        using var forger = await factory.ClientWith(forged);
        // Issued two hours ago for one hour: expired well beyond the minute of clock skew allowed.
        using var expired = await factory.ClientWith(factory.Services.GetRequiredService<LocalTokenIssuer>().Create(new(["ops"]), DateTimeOffset.UtcNow.AddHours(-2)));

        foreach (var client in new[] { anonymous, forger, expired })
        {
            var response = await client.GetAsync(new Uri("/api/sagas", UriKind.Relative));
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            (await response.Content.ReadAsStringAsync()).ShouldContain("the ops role");
        }
    }

    private static Task<HttpResponseMessage> Post(HttpClient client, string customer)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = JsonContent.Create(new JsonObject
            {
                ["customerId"] = customer,
                ["storeId"] = GroceryApiFactory.Store,
                ["slotId"] = GroceryApiFactory.OpenSlot.ToString(),
                ["lines"] = new JsonArray(new JsonObject { ["sku"] = "DAI-00001", ["quantity"] = 1 }),
                ["payment"] = new JsonObject { ["provider"] = "sandbox", ["token"] = "tok_success" },
                ["delivery"] = new JsonObject { ["address"] = "15 Nguyen Hue, District 1", ["latitude"] = 10.7743, ["longitude"] = 106.7038, ["phone"] = "+84901234567" },
                ["substitutionPreference"] = "accept",
            }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return client.SendAsync(request);
    }
}
