using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Grocery.Workflows.Api.Tests.Payments;

/// <summary>The embedded default's sandbox provider through whole orders, and the providers the API offers.</summary>
public sealed class SandboxPaymentTests(GroceryApiFactory factory) : IClassFixture<GroceryApiFactory>
{
    [Fact]
    public async Task A_hold_that_lapsed_before_capture_is_authorized_again_and_the_order_completes()
    {
        using var client = await factory.Client();

        var order = await PaymentDriving.PlaceAndWait(client, "sandbox", "tok_expire_hold", "Completed", "Rejected");

        order.GetProperty("state").GetString().ShouldBe("Completed", order.ToString());
        var payment = order.GetProperty("payment");
        var ledger = payment.GetProperty("ledger").EnumerateArray().ToList();
        ledger.Select(l => l.GetProperty("kind").GetString()).ShouldBe(["Authorization", "Authorization", "Void", "Capture"]);
        ledger[1].GetProperty("note").GetString().ShouldBe("the hold had lapsed");
        payment.GetProperty("authorizationId").GetString().ShouldBe(ledger[1].GetProperty("providerId").GetString());
        payment.GetProperty("captured").GetInt64().ShouldBe(order.GetProperty("totals").GetProperty("picked").GetInt64());
        payment.GetProperty("authorized").GetInt64().ShouldBe(payment.GetProperty("captured").GetInt64());
    }

    [Fact]
    public async Task A_provider_that_is_not_configured_is_refused_with_the_ones_that_are()
    {
        using var client = await factory.Client();
        var body = new JsonObject
        {
            ["customerId"] = "cust-1", ["storeId"] = GroceryApiFactory.Store, ["slotId"] = GroceryApiFactory.OpenSlot.ToString(),
            ["lines"] = new JsonArray(new JsonObject { ["sku"] = "DAI-00001", ["quantity"] = 1 }),
            ["payment"] = new JsonObject { ["provider"] = "stripe", ["token"] = "pm_card_visa" },
            ["delivery"] = new JsonObject { ["address"] = "15 Nguyen Hue, District 1", ["latitude"] = 10.7743, ["longitude"] = 106.7038, ["phone"] = "+84901234567" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("detail").GetString()!.ShouldContain("'stripe' is not available here; this engine takes \"sandbox\"");
    }

    [Fact]
    public async Task With_the_sandbox_off_and_no_provider_configured_an_order_is_refused_saying_so()
    {
        await using var production = new GroceryApiFactory();
        production.Settings["Payments:Sandbox"] = "false";
        using var client = await production.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = new StringContent(new JsonObject
        {
            ["customerId"] = "cust-1", ["storeId"] = GroceryApiFactory.Store, ["slotId"] = GroceryApiFactory.OpenSlot.ToString(),
            ["lines"] = new JsonArray(new JsonObject { ["sku"] = "DAI-00001", ["quantity"] = 1 }),
            ["payment"] = new JsonObject { ["provider"] = "sandbox", ["token"] = "tok_success" },
            ["delivery"] = new JsonObject { ["address"] = "15 Nguyen Hue, District 1", ["latitude"] = 10.7743, ["longitude"] = 106.7038, ["phone"] = "+84901234567" },
        }.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldStartWith("No payment provider is configured");
    }

    [Fact]
    public async Task Stripe_webhooks_are_refused_while_no_signing_secret_is_configured()
    {
        using var client = await factory.Client();
        var (body, signature) = StripeServer.SignedEvent("evt_1", "payment_intent.canceled", new JsonObject { ["id"] = "pi_1", ["object"] = "payment_intent" },
            DateTimeOffset.UtcNow);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/stripe") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Stripe-Signature", signature);

        var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("Stripe:WebhookSecret is not set");
    }
}
