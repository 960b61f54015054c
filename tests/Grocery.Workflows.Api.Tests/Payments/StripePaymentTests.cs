using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Payments;

namespace Grocery.Workflows.Api.Tests.Payments;

/// <summary>Orders paid through Stripe: the engine, its consumers and ledger, against a local Stripe-compatible server.</summary>
public sealed class StripePaymentTests(StripeHost host) : IClassFixture<StripeHost>
{
    private static readonly Money Hold = new(100_000, "VND");

    private async Task<string> Authorize(Guid orderId)
    {
        await host.Factory.Send(new AuthorizePayment(orderId, "stripe", "pm_card_visa", Hold));
        var ledger = await host.Factory.Ledger(orderId, 1);
        return ledger.ShouldHaveSingleItem().ProviderId;
    }

    [Fact]
    public async Task An_order_paid_with_pm_card_visa_creates_one_manual_capture_intent_and_captures_once_within_it()
    {
        using var client = await host.Factory.Client();
        var before = host.Stripe.Requests.Count;

        var order = await PaymentDriving.PlaceAndWait(client, "stripe", "pm_card_visa", "Completed", "Rejected");

        order.GetProperty("state").GetString().ShouldBe("Completed", order.ToString());
        var orderId = order.GetProperty("orderId").GetString();
        var requests = host.Stripe.Requests.Skip(before).Where(r => r.Form.GetValueOrDefault("metadata[order_id]") == orderId
            || r.Path.Contains(order.GetProperty("payment").GetProperty("authorizationId").GetString()!, StringComparison.Ordinal)).ToList();
        var create = requests.Where(r => r.Path == "payment_intents").ShouldHaveSingleItem();
        create.Form["capture_method"].ShouldBe("manual");
        var capture = requests.Where(r => r.Path.EndsWith("/capture", StringComparison.Ordinal)).ShouldHaveSingleItem();
        long.Parse(capture.Form["amount_to_capture"], System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBeLessThanOrEqualTo(long.Parse(create.Form["amount"], System.Globalization.CultureInfo.InvariantCulture));
        requests.ShouldAllBe(r => r.IdempotencyKey.Length > 0);

        var payment = order.GetProperty("payment");
        payment.GetProperty("provider").GetString().ShouldBe("stripe");
        payment.GetProperty("captured").GetInt64().ShouldBe(order.GetProperty("totals").GetProperty("picked").GetInt64());
        payment.GetProperty("held").GetInt64().ShouldBe(0);
        payment.GetProperty("ledger").EnumerateArray().Select(l => l.GetProperty("kind").GetString()).ShouldBe(["Authorization", "Capture"]);
    }

    [Fact]
    public async Task A_declined_card_rejects_the_order_and_holds_nothing()
    {
        using var client = await host.Factory.Client();

        var order = await PaymentDriving.PlaceAndWait(client, "stripe", "pm_card_chargeDeclinedInsufficientFunds", "Rejected");

        order.GetProperty("endReason").GetString().ShouldBe("PaymentDeclined");
        order.GetProperty("payment").GetProperty("ledger").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task A_capture_less_than_authorized_takes_the_picked_total_from_the_same_intent()
    {
        var orderId = Guid.NewGuid();
        var authorizationId = await Authorize(orderId);

        await host.Factory.Send(new CapturePayment(orderId, "stripe", "pm_card_visa", authorizationId, Hold with { Amount = 93_400 }));
        var ledger = await host.Factory.Ledger(orderId, 2);

        ledger.Select(l => (l.Kind, l.Amount)).ShouldBe([(PaymentEntryKind.Authorization, 100_000), (PaymentEntryKind.Capture, 93_400)]);
        ((long)host.Stripe.Intent(authorizationId)["amount_received"]!).ShouldBe(93_400);
    }

    [Fact]
    public async Task A_capture_more_than_authorized_authorizes_the_total_again_voids_the_first_hold_and_captures_the_new_one()
    {
        var orderId = Guid.NewGuid();
        var first = await Authorize(orderId);

        await host.Factory.Send(new CapturePayment(orderId, "stripe", "pm_card_visa", first, Hold with { Amount = 112_000 }));
        var ledger = await host.Factory.Ledger(orderId, 4);

        ledger.Select(l => l.Kind).ShouldBe([PaymentEntryKind.Authorization, PaymentEntryKind.Authorization, PaymentEntryKind.Void, PaymentEntryKind.Capture]);
        var second = ledger[1].ProviderId;
        ledger[1].Amount.ShouldBe(112_000);
        ledger[2].ParentId.ShouldBe(first);
        ledger[3].ParentId.ShouldBe(second);
        ((string?)host.Stripe.Intent(first)["status"]).ShouldBe("canceled");
        ((string?)host.Stripe.Intent(second)["status"]).ShouldBe("succeeded");
        ((long)host.Stripe.Intent(second)["amount_received"]!).ShouldBe(112_000);
    }

    [Fact]
    public async Task A_void_cancels_the_intent_once_and_a_second_void_calls_nobody()
    {
        var orderId = Guid.NewGuid();
        var authorizationId = await Authorize(orderId);

        await host.Factory.Send(new VoidPaymentAuthorization(orderId, "stripe", authorizationId));
        await host.Factory.Ledger(orderId, 2);
        var cancels = host.Stripe.Requests.Count(r => r.Path == $"payment_intents/{authorizationId}/cancel");
        await host.Factory.Send(new VoidPaymentAuthorization(orderId, "stripe", authorizationId));
        await Task.Delay(500);

        ((string?)host.Stripe.Intent(authorizationId)["status"]).ShouldBe("canceled");
        cancels.ShouldBe(1);
        host.Stripe.Requests.Count(r => r.Path == $"payment_intents/{authorizationId}/cancel").ShouldBe(1);
        (await host.Factory.Ledger(orderId, 2)).Select(l => l.Kind).ShouldBe([PaymentEntryKind.Authorization, PaymentEntryKind.Void]);
    }

    [Fact]
    public async Task A_refund_after_a_failed_delivery_returns_the_capture_once()
    {
        var orderId = Guid.NewGuid();
        var authorizationId = await Authorize(orderId);
        await host.Factory.Send(new CapturePayment(orderId, "stripe", "pm_card_visa", authorizationId, Hold with { Amount = 95_000 }));
        var captureId = (await host.Factory.Ledger(orderId, 2))[1].ProviderId;

        await host.Factory.Send(new RefundPayment(orderId, "stripe", captureId, Hold with { Amount = 95_000 }));
        await host.Factory.Ledger(orderId, 3);
        await host.Factory.Send(new RefundPayment(orderId, "stripe", captureId, Hold with { Amount = 95_000 }));
        await Task.Delay(500);

        var ledger = await host.Factory.Ledger(orderId, 3);
        ledger.Select(l => l.Kind).ShouldBe([PaymentEntryKind.Authorization, PaymentEntryKind.Capture, PaymentEntryKind.Refund]);
        ledger[2].Amount.ShouldBe(95_000);
        host.Stripe.Requests.Count(r => r.Path == "refunds" && r.Form["payment_intent"] == captureId).ShouldBe(1);
    }

    [Fact]
    public async Task Unsigned_forged_and_stale_webhooks_are_refused_with_400()
    {
        using var client = await host.Factory.Client();
        var data = new JsonObject { ["id"] = "pi_x", ["object"] = "payment_intent", ["status"] = "canceled" };
        var (body, signature) = StripeServer.SignedEvent("evt_forged", "payment_intent.canceled", data, DateTimeOffset.UtcNow, "whsec_someone_else");
        var (staleBody, staleSignature) = StripeServer.SignedEvent("evt_stale", "payment_intent.canceled", data, DateTimeOffset.UtcNow.AddMinutes(-10));

        var unsigned = await PostWebhook(client, body, null);
        var forged = await PostWebhook(client, body, signature);
        var stale = await PostWebhook(client, staleBody, staleSignature);

        foreach (var response in new[] { unsigned, forged, stale })
        {
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        }
    }

    [Fact]
    public async Task A_cancelled_intent_reported_by_webhook_is_written_once_and_a_duplicate_changes_nothing()
    {
        using var client = await host.Factory.Client();
        var orderId = Guid.NewGuid();
        var authorizationId = await Authorize(orderId);
        var data = new JsonObject
        {
            ["id"] = authorizationId, ["object"] = "payment_intent", ["status"] = "canceled", ["cancellation_reason"] = "automatic",
            ["metadata"] = new JsonObject { ["order_id"] = orderId.ToString() },
        };
        var (body, signature) = StripeServer.SignedEvent("evt_" + Guid.NewGuid().ToString("N"), "payment_intent.canceled", data, DateTimeOffset.UtcNow);

        var first = await PostWebhook(client, body, signature);
        var again = await PostWebhook(client, body, signature);

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString().ShouldBe("applied");
        (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString().ShouldBe("duplicate");
        await host.Factory.Ledger(orderId, 2);
        await Task.Delay(300);
        var ledger = await host.Factory.Ledger(orderId, 2);
        ledger.Select(l => l.Kind).ShouldBe([PaymentEntryKind.Authorization, PaymentEntryKind.Void]);
        ledger[1].Note.ShouldBe("provider: automatic");
    }

    [Fact]
    public async Task A_refund_made_in_the_dashboard_is_found_by_its_intent_and_written_into_the_ledger()
    {
        using var client = await host.Factory.Client();
        var orderId = Guid.NewGuid();
        var authorizationId = await Authorize(orderId);
        await host.Factory.Send(new CapturePayment(orderId, "stripe", "pm_card_visa", authorizationId, Hold with { Amount = 80_000 }));
        await host.Factory.Ledger(orderId, 2);
        var charge = new JsonObject
        {
            ["id"] = "ch_dashboard", ["object"] = "charge", ["amount"] = 80_000, ["amount_refunded"] = 30_000, ["currency"] = "vnd",
            ["payment_intent"] = authorizationId, ["refunded"] = false,
        };
        var (body, signature) = StripeServer.SignedEvent("evt_" + Guid.NewGuid().ToString("N"), "charge.refunded", charge, DateTimeOffset.UtcNow);

        var response = await PostWebhook(client, body, signature);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var ledger = await host.Factory.Ledger(orderId, 3);
        ledger.Select(l => (l.Kind, l.Amount)).ShouldBe(
            [(PaymentEntryKind.Authorization, 100_000), (PaymentEntryKind.Capture, 80_000), (PaymentEntryKind.Refund, 30_000)]);
    }

    private static async Task<HttpResponseMessage> PostWebhook(HttpClient client, string body, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/stripe") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.Add("Stripe-Signature", signature);
        }

        return await client.SendAsync(request);
    }
}
