using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grocery.Workflows.Api.Tests.Payments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Grocery.Workflows.Api.Tests.Delivery;

/// <summary>
/// The grocer's notification service as a local receiver (tests only): takes CloudEvents 1.0 in structured mode, checks
/// the <c>Grocery-Signature</c> header (<c>t=…,v1=</c> HMAC-SHA256 of <c>{t}.{body}</c>), answers 503 to the first
/// post it gets (so the engine's retry is seen) and 204 to the rest.
/// </summary>
public sealed class NotificationReceiver : IAsyncDisposable
{
    public const string Secret = "notification-secret-for-tests-0123456789";

    private WebApplication _app = null!;
    private int _posts;

    public Uri Endpoint => new(Loopback.AddressOf(_app), "/events");

    /// <summary>Every post: the CloudEvent, whether its signature held, and the status answered.</summary>
    public ConcurrentQueue<(JsonObject Event, bool SignatureValid, string ContentType, int Status)> Posts { get; } = new();

    public static async Task<NotificationReceiver> Start()
    {
        var receiver = new NotificationReceiver();
        receiver._app = await Loopback.Start(app => app.MapPost("/events", (HttpRequest request) => receiver.Receive(request)));
        return receiver;
    }

    public IReadOnlyList<JsonObject> Accepted => [.. Posts.Where(p => p.Status < 300).Select(p => p.Event)];

    public async ValueTask DisposeAsync() => await Loopback.Stop(_app);

    private async Task<IResult> Receive(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var cloudEvent = JsonNode.Parse(body)!.AsObject();
        var status = Interlocked.Increment(ref _posts) == 1 ? 503 : 204;
        Posts.Enqueue((cloudEvent, Verify(request.Headers["Grocery-Signature"].ToString(), body), request.ContentType ?? "", status));
        return Results.StatusCode(status);
    }

    private static bool Verify(string header, byte[] body)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("t", out var stamp) || !parts.TryGetValue("v1", out var signature)
            || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(stamp, CultureInfo.InvariantCulture)) > 300)
        {
            return false;
        }

        byte[] signed = [.. Encoding.ASCII.GetBytes(stamp + "."), .. body];
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), signed);
        return CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(signature));
    }
}

public sealed class NotificationHost : IAsyncLifetime
{
    public NotificationReceiver Receiver { get; private set; } = null!;

    public GroceryApiFactory Factory { get; } = new();

    public async Task InitializeAsync()
    {
        Receiver = await NotificationReceiver.Start();
        Factory.Settings["Notifications:Endpoint"] = Receiver.Endpoint.ToString();
        Factory.Settings["Notifications:Secret"] = NotificationReceiver.Secret;
        Factory.Settings["Notifications:StorefrontUrl"] = "https://shop.grocery.test";
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

public sealed class NotificationTests(NotificationHost host) : IClassFixture<NotificationHost>
{
    [Fact]
    public async Task The_customer_hears_each_step_once_in_their_language_signed()
    {
        using var client = await host.Factory.Client();

        // A Vietnamese store's order (no language given: Vietnamese), every line short and replaced.
        var completed = await PaymentDriving.PlaceAndWait(client, "sandbox", "tok_success", "Completed", "Refunded", "Rejected");
        completed.GetProperty("state").GetString().ShouldBe("Completed");
        var orderId = completed.GetProperty("orderId").GetGuid();
        var order = await PaymentDriving.WaitFor(client, orderId,
            o => o.GetProperty("notifications").EnumerateArray().Count(n => n.GetProperty("sentAt").ValueKind == JsonValueKind.String) == 4);
        // An English order whose payment is declined.
        var rejectedId = await Place(client, "tok_decline", "en");
        var rejected = await PaymentDriving.WaitFor(client, rejectedId,
            o => o.GetProperty("notifications").EnumerateArray().Any(n => n.GetProperty("sentAt").ValueKind == JsonValueKind.String));

        var received = host.Receiver.Accepted.Where(e => e["subject"]!.GetValue<string>() == orderId.ToString()).ToList();
        received.Select(e => e["type"]!.GetValue<string>()).ShouldBe(
            ["com.grocery.order.confirmed", "com.grocery.substitutions.proposed", "com.grocery.order.out-for-delivery", "com.grocery.order.delivered"],
            ignoreOrder: true);
        received.Select(e => e["id"]!.GetValue<string>()).Distinct().Count().ShouldBe(4, "each event once");
        host.Receiver.Posts.ShouldAllBe(p => p.SignatureValid && p.ContentType.StartsWith("application/cloudevents+json", StringComparison.Ordinal));
        host.Receiver.Posts.Count(p => p.Status == 503).ShouldBe(1);
        host.Receiver.Posts.Count.ShouldBe(host.Receiver.Accepted.Count + 1, "the refused post was retried and taken once");
        foreach (var cloudEvent in received)
        {
            cloudEvent["specversion"]!.GetValue<string>().ShouldBe("1.0");
            cloudEvent["source"]!.GetValue<string>().ShouldBe("urn:grocery:workflows:stores:" + GroceryApiFactory.Store);
            cloudEvent["data"]!["language"]!.GetValue<string>().ShouldBe("vi");
            cloudEvent["data"]!["customerId"]!.GetValue<string>().ShouldBe("cust-pay");
            cloudEvent.ToJsonString().ShouldNotContain("84901234567", customMessage: "the phone never leaves with a notification");
        }

        var proposed = received.Single(e => e["type"]!.GetValue<string>() == "com.grocery.substitutions.proposed")["data"]!;
        proposed["text"]!.GetValue<string>().ShouldStartWith("Một số sản phẩm đã hết. Vui lòng chọn trước ");
        proposed["text"]!.GetValue<string>().ShouldContain("thay bằng");
        proposed["text"]!.GetValue<string>().ShouldContain(" ₫)");
        proposed["link"]!.GetValue<string>().ShouldStartWith($"https://shop.grocery.test/orders/{orderId}/substitutions/");
        var delivered = received.Single(e => e["type"]!.GetValue<string>() == "com.grocery.order.delivered")["data"]!;
        var captured = completed.GetProperty("totals").GetProperty("captured").GetInt64();
        delivered["text"]!.GetValue<string>().ShouldBe(
            $"Đơn hàng đã được giao. Số tiền thanh toán: {captured.ToString("#,0", CultureInfo.InvariantCulture).Replace(',', '.')} ₫. Cảm ơn bạn!");

        var refusal = host.Receiver.Accepted.Single(e => e["subject"]!.GetValue<string>() == rejectedId.ToString());
        refusal["type"]!.GetValue<string>().ShouldBe("com.grocery.order.rejected");
        refusal["data"]!["language"]!.GetValue<string>().ShouldBe("en");
        refusal["data"]!["text"]!.GetValue<string>().ShouldBe("Your order could not go ahead: the payment was declined. You have not been charged.");

        // The order keeps what it was told.
        order.GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("kind").GetString())
            .ShouldBe(["order.confirmed", "substitutions.proposed", "order.out-for-delivery", "order.delivered"], ignoreOrder: true);
        order.GetProperty("notifications").EnumerateArray().ShouldAllBe(n => n.GetProperty("posted").GetBoolean());
        rejected.GetProperty("notifications").EnumerateArray().Single().GetProperty("title").GetString().ShouldBe("We could not take your order");
    }

    private static async Task<Guid> Place(HttpClient client, string token, string language)
    {
        var body = new JsonObject
        {
            ["customerId"] = "cust-en", ["storeId"] = GroceryApiFactory.Store, ["slotId"] = GroceryApiFactory.OpenSlot.ToString(),
            ["lines"] = new JsonArray(new JsonObject { ["sku"] = "DAI-00001", ["quantity"] = 1 }),
            ["payment"] = new JsonObject { ["provider"] = "sandbox", ["token"] = token },
            ["delivery"] = new JsonObject { ["address"] = "15 Nguyen Hue, District 1", ["latitude"] = 10.7743, ["longitude"] = 106.7038, ["phone"] = "+84901234567" },
            ["language"] = language,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
    }
}
