using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Consumers.Payments.MoMo;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Payments;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Api.Tests.Payments;

/// <summary>Orders paid with the MoMo e-wallet: the engine, its consumers, ledger and IPN endpoint, against a local MoMo-compatible server.</summary>
public sealed class MoMoPaymentTests(MoMoHost host) : IClassFixture<MoMoHost>
{
    private static readonly Money Hold = new(100_000, "VND");

    private static async Task<HttpResponseMessage> PostIpn(HttpClient client, string body) =>
        await client.PostAsync(new Uri("/api/webhooks/momo", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

    /// <summary>Asks for a hold and has the customer approve it; returns MoMo's order id (the authorization id).</summary>
    private async Task<string> Authorize(HttpClient client, Guid orderId)
    {
        await host.Factory.Send(new AuthorizePayment(orderId, "momo", "wallet", Hold));
        var authorizationId = (await host.Factory.Ledger(orderId, 1)).ShouldHaveSingleItem().ProviderId;
        (await PostIpn(client, host.MoMo.Approve(authorizationId))).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await host.Factory.Ledger(orderId, 2))[1].Kind.ShouldBe(PaymentEntryKind.Authorization);
        return authorizationId;
    }

    private static async Task<Guid> Place(HttpClient client)
    {
        var body = new JsonObject
        {
            ["customerId"] = "cust-momo", ["storeId"] = GroceryApiFactory.Store, ["slotId"] = GroceryApiFactory.OpenSlot.ToString(),
            ["lines"] = new JsonArray(new JsonObject { ["sku"] = "DAI-00001", ["quantity"] = 2 }, new JsonObject { ["sku"] = "PRO-00001", ["quantity"] = 1.25 }),
            ["payment"] = new JsonObject { ["provider"] = "momo", ["token"] = "wallet" },
            ["delivery"] = new JsonObject { ["address"] = "15 Nguyen Hue, District 1", ["latitude"] = 10.7743, ["longitude"] = 106.7038, ["phone"] = "+84901234567" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
    }

    [Fact]
    public async Task An_order_waits_for_approval_in_the_MoMo_app_then_completes_with_one_deferred_payment_captured_within_the_hold()
    {
        using var client = await host.Factory.Client();
        var orderId = await Place(client);

        var waiting = await PaymentDriving.WaitFor(client, orderId, o => o.GetProperty("payment").GetProperty("approvalUrl").ValueKind == JsonValueKind.String);
        waiting.GetProperty("state").GetString().ShouldBe("AwaitingPayment");
        var momoOrderId = waiting.GetProperty("payment").GetProperty("ledger")[0].GetProperty("providerId").GetString()!;
        waiting.GetProperty("payment").GetProperty("approvalUrl").GetString().ShouldEndWith("/pay/" + momoOrderId);
        (await PostIpn(client, host.MoMo.Approve(momoOrderId))).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var order = await PaymentDriving.WaitFor(client, orderId, o => o.GetProperty("state").GetString() is "Completed" or "Rejected");
        order.GetProperty("state").GetString().ShouldBe("Completed", order.ToString());
        var requests = host.MoMo.Requests.Where(r => r.Body["orderId"]?.ToString() == momoOrderId).ToList();
        var create = requests.Where(r => r.Path == "create").ShouldHaveSingleItem().Body;
        create["autoCapture"]!.GetValue<bool>().ShouldBeFalse();
        create["requestType"]!.ToString().ShouldBe("captureWallet");
        var capture = requests.Where(r => r.Path == "confirm").ShouldHaveSingleItem().Body;
        capture["requestType"]!.ToString().ShouldBe("capture");
        ((long)capture["amount"]!).ShouldBe((long)create["amount"]!);
        var payment = order.GetProperty("payment");
        payment.GetProperty("captured").GetInt64().ShouldBe((long)capture["amount"]!);
        (payment.GetProperty("captured").GetInt64() - payment.GetProperty("refunded").GetInt64())
            .ShouldBe(order.GetProperty("totals").GetProperty("picked").GetInt64());
        payment.GetProperty("ledger").EnumerateArray().Select(l => l.GetProperty("kind").GetString())
            .ShouldBe(["ApprovalRequested", "Authorization", "Capture", "Refund"]);
    }

    [Fact]
    public async Task A_customer_who_refuses_in_the_app_gets_the_order_rejected_as_declined()
    {
        using var client = await host.Factory.Client();
        var orderId = await Place(client);
        var waiting = await PaymentDriving.WaitFor(client, orderId, o => o.GetProperty("payment").GetProperty("approvalUrl").ValueKind == JsonValueKind.String);
        var momoOrderId = waiting.GetProperty("payment").GetProperty("ledger")[0].GetProperty("providerId").GetString()!;

        (await PostIpn(client, host.MoMo.Refuse(momoOrderId))).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var order = await PaymentDriving.WaitFor(client, orderId, o => o.GetProperty("state").GetString() == "Rejected");
        order.GetProperty("endReason").GetString().ShouldBe("PaymentDeclined");
        order.GetProperty("payment").GetProperty("approvalUrl").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task A_capture_less_than_the_hold_confirms_the_whole_hold_and_refunds_the_rest_at_once()
    {
        using var client = await host.Factory.Client();
        var orderId = Guid.NewGuid();
        var authorizationId = await Authorize(client, orderId);

        await host.Factory.Send(new CapturePayment(orderId, "momo", "wallet", authorizationId, Hold with { Amount = 91_000 }));
        var ledger = await host.Factory.Ledger(orderId, 4);

        ledger.Skip(2).Select(l => (l.Kind, l.Amount)).ShouldBe([(PaymentEntryKind.Capture, 100_000), (PaymentEntryKind.Refund, 9_000)]);
        ledger[2].ProviderId.ShouldBe(host.MoMo.Payments[authorizationId].TransId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        host.MoMo.Payments[authorizationId].Captured.ShouldBe(100_000);
        host.MoMo.Payments[authorizationId].Refunded.ShouldBe(9_000);
    }

    [Fact]
    public async Task A_capture_more_than_the_hold_asks_the_customer_to_approve_the_total_then_captures_it_and_cancels_the_first()
    {
        using var client = await host.Factory.Client();
        var orderId = Guid.NewGuid();
        var first = await Authorize(client, orderId);

        await host.Factory.Send(new CapturePayment(orderId, "momo", "wallet", first, Hold with { Amount = 118_000 }));
        var asked = await host.Factory.Ledger(orderId, 3);
        asked[2].Kind.ShouldBe(PaymentEntryKind.ApprovalRequested);
        asked[2].Amount.ShouldBe(118_000);
        (await PostIpn(client, host.MoMo.Approve(asked[2].ProviderId))).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var ledger = await host.Factory.Ledger(orderId, 6);

        ledger.Select(l => l.Kind).ShouldBe([PaymentEntryKind.ApprovalRequested, PaymentEntryKind.Authorization, PaymentEntryKind.ApprovalRequested,
            PaymentEntryKind.Authorization, PaymentEntryKind.Capture, PaymentEntryKind.Void]);
        ledger[5].ParentId.ShouldBe(first);
        host.MoMo.Payments[first].Status.ShouldBe(1003);
        host.MoMo.Payments[asked[2].ProviderId].Captured.ShouldBe(118_000);
    }

    [Fact]
    public async Task A_void_cancels_the_held_payment_and_a_refund_returns_a_captured_one()
    {
        using var client = await host.Factory.Client();
        var voided = Guid.NewGuid();
        var held = await Authorize(client, voided);
        var refunded = Guid.NewGuid();
        var captured = await Authorize(client, refunded);

        await host.Factory.Send(new VoidPaymentAuthorization(voided, "momo", held));
        await host.Factory.Send(new CapturePayment(refunded, "momo", "wallet", captured, Hold));
        var transId = (await host.Factory.Ledger(refunded, 3))[2].ProviderId;
        await host.Factory.Send(new RefundPayment(refunded, "momo", transId, Hold));

        (await host.Factory.Ledger(voided, 3))[2].Kind.ShouldBe(PaymentEntryKind.Void);
        host.MoMo.Payments[held].Status.ShouldBe(1003);
        (await host.Factory.Ledger(refunded, 4))[3].Kind.ShouldBe(PaymentEntryKind.Refund);
        host.MoMo.Payments[captured].Refunded.ShouldBe(100_000);
    }

    [Fact]
    public async Task A_hold_MoMo_cancels_after_authorizing_it_is_written_off_so_the_capture_asks_again()
    {
        using var client = await host.Factory.Client();
        var orderId = Guid.NewGuid();
        var authorizationId = await Authorize(client, orderId);

        (await PostIpn(client, host.MoMo.Refuse(authorizationId, 1003))).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var ledger = await host.Factory.Ledger(orderId, 3);
        await host.Factory.Send(new CapturePayment(orderId, "momo", "wallet", authorizationId, Hold));
        var after = await host.Factory.Ledger(orderId, 4);

        ledger[2].Kind.ShouldBe(PaymentEntryKind.Void);
        ledger[2].Note!.ShouldStartWith("provider: momo_1003");
        after[3].Kind.ShouldBe(PaymentEntryKind.ApprovalRequested);
        after[3].Note!.ShouldEndWith("/pay/" + after[3].ProviderId);
    }

    [Fact]
    public async Task Forged_stale_and_duplicate_IPNs_change_nothing()
    {
        using var client = await host.Factory.Client();
        var orderId = Guid.NewGuid();
        await host.Factory.Send(new AuthorizePayment(orderId, "momo", "wallet", Hold));
        var momoOrderId = (await host.Factory.Ledger(orderId, 1))[0].ProviderId;

        var forged = await PostIpn(client, host.MoMo.Approve(momoOrderId, secret: "not-the-secret"));
        var stale = await PostIpn(client, host.MoMo.Approve(momoOrderId, DateTimeOffset.UtcNow.AddHours(-2)));
        var garbage = await PostIpn(client, "{\"resultCode\": 9000}");
        var genuine = host.MoMo.Approve(momoOrderId);
        var first = await PostIpn(client, genuine);
        var again = await PostIpn(client, genuine);

        forged.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        stale.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        garbage.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        first.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        again.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await Task.Delay(500);
        (await host.Factory.Ledger(orderId, 2)).Select(l => l.Kind).ShouldBe([PaymentEntryKind.ApprovalRequested, PaymentEntryKind.Authorization]);
    }

    [Fact]
    public async Task A_lost_answer_is_retried_with_the_same_request_id_and_finds_the_payment_already_made()
    {
        var gateway = new MoMoPaymentGateway(new HttpClient { Timeout = TimeSpan.FromMilliseconds(500) }, Options.Create(new MoMoSettings
        {
            PartnerCode = MoMoServer.PartnerCode, AccessKey = MoMoServer.AccessKey, SecretKey = MoMoServer.SecretKey, Endpoint = host.MoMo.BaseAddress.ToString(),
            IpnUrl = "https://shop.example/ipn", RedirectUrl = "https://shop.example/",
        }));
        var call = new PaymentCall(Guid.NewGuid(), $"{Guid.NewGuid():N}-authorize-1");
        host.MoMo.DelayNext("create", TimeSpan.FromSeconds(2));
        await Should.ThrowAsync<Exception>(() => gateway.Authorize(call, "wallet", Hold, CancellationToken.None));
        host.MoMo.FailNext("create", 503);
        await Should.ThrowAsync<HttpRequestException>(() => gateway.Authorize(call, "wallet", Hold, CancellationToken.None));

        var retried = await gateway.Authorize(call, "wallet", Hold, CancellationToken.None);

        retried.AwaitsApproval.ShouldBeTrue();
        retried.ProviderId.ShouldBe(call.IdempotencyKey);
        host.MoMo.Payments.Keys.Count(k => k == call.IdempotencyKey).ShouldBe(1);
        host.MoMo.Requests.Where(r => r.Path == "create" && r.Body["orderId"]!.ToString() == call.IdempotencyKey)
            .Select(r => r.Body["requestId"]!.ToString()).Distinct().ShouldBe([call.IdempotencyKey]);
    }

    [Fact]
    public async Task Amounts_outside_MoMos_limits_and_other_currencies_are_refused_before_calling_MoMo()
    {
        var gateway = new MoMoPaymentGateway(new HttpClient(), Options.Create(new MoMoSettings { PartnerCode = "x", Endpoint = "http://127.0.0.1:9/" }));

        (await gateway.Authorize(new PaymentCall(Guid.NewGuid(), "k1"), "wallet", new Money(999, "VND"), CancellationToken.None)).Refusal!.ShouldContain("1000");
        (await gateway.Authorize(new PaymentCall(Guid.NewGuid(), "k2"), "wallet", new Money(5_000, "SGD"), CancellationToken.None)).Succeeded.ShouldBeFalse();
    }
}
