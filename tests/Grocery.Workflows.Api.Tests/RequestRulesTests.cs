using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grocery.Workflows.Api.Tests.Payments;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Api.Tests;

/// <summary>
/// One rule for every route that takes a body: a cap that fits its content (413), JSON with no key twice and only real
/// text in its strings (400 naming the field), no unknown field, dates in a sane window; each refusal is problem+json
/// and stores nothing. Stripe and MoMo are configured so that their webhooks get as far as reading the body.
/// </summary>
public sealed class RequestRulesTests : IAsyncLifetime
{
    private GroceryApiFactory Factory { get; } = new();

    public Task InitializeAsync()
    {
        Factory.Settings["Stripe:WebhookSecret"] = StripeServer.WebhookSecret;
        Factory.Settings["MoMo:PartnerCode"] = MoMoServer.PartnerCode;
        Factory.Settings["MoMo:AccessKey"] = MoMoServer.AccessKey;
        Factory.Settings["MoMo:SecretKey"] = MoMoServer.SecretKey;
        Factory.Settings["MoMo:Endpoint"] = "http://127.0.0.1:9/";
        Factory.Settings["MoMo:IpnUrl"] = "https://shop.example/ipn";
        Factory.Settings["MoMo:RedirectUrl"] = "https://shop.example/";
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    private static string Today => DateTime.UtcNow.AddDays(2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("/api/orders?limit=many", "limit: \"many\"")]
    [InlineData("/api/orders?limit=1&limit=2", "limit: \"1,2\"")]
    public async Task A_query_value_that_does_not_bind_is_named_without_its_dotnet_type(string url, string detail)
    {
        using var client = await Factory.Client();

        var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        var problem = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var json = System.Text.Json.JsonDocument.Parse(problem);
        json.RootElement.GetProperty("title").GetString().ShouldBe("The request is not valid");
        json.RootElement.GetProperty("detail").GetString().ShouldStartWith(detail);
        problem.ShouldNotContain("Nullable");
    }

    public static TheoryData<string, string, string, string, HttpStatusCode, string> BadBodies => new()
    {
        // route, method, body, why, status, what the problem says
        { "/api/orders/{order}/cancel", "POST", "{\"reason\": \"oops\\ud800\"}", "lone surrogate", HttpStatusCode.BadRequest, "reason is not text" },
        { "/api/orders/{order}/cancel", "POST", "{\"reason\": \"please \\u202Ecancel\"}", "bidi override", HttpStatusCode.BadRequest, "plain text" },
        { "/api/orders/{order}/cancel", "POST", "{\"reason\": \"a\", \"reason\": \"b\"}", "the same key twice", HttpStatusCode.BadRequest, "reason" },
        { "/api/orders/{order}/cancel", "POST", "null", "null body", HttpStatusCode.BadRequest, "null" },
        { "/api/orders/{order}/substitutions/decisions", "POST", "{\"decisions\": [{\"sku\": \"\\udfff\", \"approve\": true}]}", "lone surrogate", HttpStatusCode.BadRequest, "decisions[0].sku is not text" },
        { "/api/orders/{order}/substitutions/decisions", "POST", "{\"decisions\": [{\"sku\": \"DAI-00001\", \"approve\": true, \"price\": 1}]}", "unknown field", HttpStatusCode.BadRequest, "decision" },
        { "/api/stores/tst-01/closures/{today}", "PUT", "{\"reason\": \"stock-take\", \"extra\": 1}", "unknown field", HttpStatusCode.BadRequest, "reason" },
        { "/api/stores/tst-01/closures/0001-01-01", "PUT", "{\"reason\": \"stock-take\"}", "year 1", HttpStatusCode.BadRequest, "outside" },
        { "/api/stores/tst-01/closures/9999-12-31", "PUT", "{\"reason\": \"stock-take\"}", "year 9999", HttpStatusCode.BadRequest, "outside" },
        { "/api/stores/tst-01/closures/{today}", "PUT", "{\"reason\": \"Tet\\u200B\"}", "zero-width space", HttpStatusCode.BadRequest, "plain text" },
        { "/api/stores/tst-01/closures/{today}", "PUT", "null", "null body", HttpStatusCode.BadRequest, "null" },
        { "/api/jobs/slot-generation/runs", "POST", "{\"storeId\": \"tst-01\", \"when\": \"now\"}", "unknown field", HttpStatusCode.BadRequest, "storeId" },
        { "/api/jobs/slot-generation/runs", "POST", "null", "null body", HttpStatusCode.BadRequest, "null" },
        { "/api/jobs/slot-generation/runs", "POST", "{\"storeId\": \"tst\\ud800\"}", "lone surrogate", HttpStatusCode.BadRequest, "storeId is not text" },
        { "/api/webhooks/momo", "POST", "{\"orderId\": \"\\ud800\"}", "lone surrogate before the signature check", HttpStatusCode.BadRequest, "orderId is not text" },
        { "/api/webhooks/stripe", "POST", "{\"id\": \"\\ud800\"}", "lone surrogate before the signature check", HttpStatusCode.BadRequest, "id is not text" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_body_on_any_route_is_a_problem_naming_what_is_wrong_and_stores_nothing(
        string route, string method, string body, string why, HttpStatusCode status, string says)
    {
        using var client = await Factory.Client();
        var orderId = await PlacedOrder(client);
        var before = await Stored(orderId);

        var response = await Send(client, method, route.Replace("{order}", orderId.ToString(), StringComparison.Ordinal)
            .Replace("{today}", Today, StringComparison.Ordinal), Encoding.UTF8.GetBytes(body));

        response.StatusCode.ShouldBe(status, why);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", why);
        (await response.Content.ReadAsStringAsync()).ShouldContain(says, Case.Insensitive, why);
        (await Stored(orderId)).ShouldBe(before, why);
    }

    public static TheoryData<string, string, int> Caps => new()
    {
        { "/api/orders/{order}/cancel", "POST", 16 * 1024 },
        { "/api/stores/tst-01/closures/{today}", "PUT", 16 * 1024 },
        { "/api/jobs/slot-generation/runs", "POST", 16 * 1024 },
        { "/api/webhooks/stripe", "POST", 256 * 1024 },
        { "/api/webhooks/momo", "POST", 256 * 1024 },
        { "/api/orders", "POST", 64 * 1024 },
    };

    [Theory]
    [MemberData(nameof(Caps))]
    public async Task A_body_over_its_routes_cap_is_413_problem_json(string route, string method, int cap)
    {
        using var client = await Factory.Client();
        var orderId = await PlacedOrder(client);
        var body = Encoding.UTF8.GetBytes("{\"reason\": \"" + new string('x', cap) + "\"}");

        var response = await Send(client, method, route.Replace("{order}", orderId.ToString(), StringComparison.Ordinal)
            .Replace("{today}", Today, StringComparison.Ordinal), body, idempotencyKey: true);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge, route);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", route);
        (await response.Content.ReadAsStringAsync()).ShouldContain($"at most {cap / 1024} KiB");
    }

    [Fact]
    public async Task A_signed_Stripe_event_that_is_no_event_is_refused_with_400_and_stores_nothing()
    {
        using var client = await Factory.Client();
        var before = await Factory.Query(db => db.ProviderEvents.CountAsync());

        foreach (var body in new[] { "null", "{}", "[]", "{\"id\": 42}" })
        {
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(StripeServer.WebhookSecret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/stripe") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("Stripe-Signature", $"t={timestamp},v1={Convert.ToHexStringLower(mac)}");

            var response = await client.SendAsync(request);

            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, body);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", body);
        }

        (await Factory.Query(db => db.ProviderEvents.CountAsync())).ShouldBe(before);
    }

    [Fact]
    public async Task A_closure_in_the_window_with_a_plain_reason_is_taken()
    {
        using var client = await Factory.Client();

        var response = await client.PutAsJsonAsync(new Uri($"/api/stores/tst-01/closures/{Today}", UriKind.Relative), new { reason = "Stock-take" });

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private static async Task<Guid> PlacedOrder(HttpClient client)
    {
        var body = $$$"""
            {"customerId": "cust-rules", "storeId": "{{{GroceryApiFactory.Store}}}", "slotId": "{{{GroceryApiFactory.OpenSlot}}}",
             "lines": [{"sku": "DAI-00001", "quantity": 1}], "payment": {"provider": "sandbox", "token": "tok_success"}, "delivery": {"address": "15 Nguyen Hue, District 1", "latitude": 10.7743, "longitude": 106.7038, "phone": "+84901234567"}}
            """;
        var response = await Send(client, "POST", "/api/orders", Encoding.UTF8.GetBytes(body), idempotencyKey: true);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, string method, string path, byte[] body, bool idempotencyKey = false)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (idempotencyKey)
        {
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        }

        return await client.SendAsync(request);
    }

    /// <summary>Rows a refused request might have left: order requests, outbox, closures, job runs, provider events.</summary>
    /// <summary>
    /// What a request could have stored. The outbox count is of the order's commands written by the API (the bus's own
    /// address): the simulated customer answers substitutions of the same order meanwhile, and the dispatcher deletes rows.
    /// </summary>
    private string ApiAddress => Factory.Services.GetRequiredService<MassTransit.IBus>().Address.ToString();

    private Task<(int, int, int, int, int)> Stored(Guid orderId) => Factory.Query(async db => (
        await db.OrderRequests.CountAsync(), await db.Outbox.CountAsync(m => m.CorrelationId == orderId && m.SourceAddress == ApiAddress
            && (m.MessageType.Contains("CancelOrder") || m.MessageType.Contains("AnswerSubstitutions"))),
        await db.StoreClosures.CountAsync(), await db.JobRuns.CountAsync(r => r.Trigger != Persistence.Jobs.JobRunTrigger.Startup), await db.ProviderEvents.CountAsync()));
}
