using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grocery.Workflows.Api.Tests.Operations;
using Grocery.Workflows.Api.Tests.Payments;
using Grocery.Workflows.Persistence.Delivery;
using Grocery.Workflows.Tests.Shared;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Api.Tests.Delivery;

/// <summary>The engine in process with its couriers booked at a local server that speaks GrabExpress's Delivery API.</summary>
public sealed class GrabHost : IAsyncLifetime
{
    public GrabExpressStandIn Grab { get; private set; } = null!;

    public GroceryApiFactory Factory { get; } = new();

    public async Task InitializeAsync()
    {
        Grab = await GrabExpressStandIn.Start();
        Factory.Settings["Couriers:Provider"] = "grab";
        Factory.Settings["Couriers:Fallback"] = "store-fleet";
        Factory.Settings["Grab:ClientId"] = GrabExpressStandIn.ClientId;
        Factory.Settings["Grab:ClientSecret"] = GrabExpressStandIn.ClientSecret;
        Factory.Settings["Grab:WebhookSecret"] = GrabExpressStandIn.WebhookSecret;
        Factory.Settings["Grab:ApiBase"] = Grab.ApiBase;
        Factory.Settings["Grab:TokenUrl"] = Grab.TokenUrl;
        Factory.Settings["Simulation:ShortageRate"] = "0";
        Grab.WebhookTarget = Factory.CreateClient();
    }

    public async Task DisposeAsync()
    {
        await Grab.DisposeAsync();
        await Factory.DisposeAsync();
    }
}

[Collection(MetricsAlone.Name)]
public sealed class GrabDeliveryTests(GrabHost host) : IClassFixture<GrabHost>
{
    private GroceryApiFactory Factory => host.Factory;

    private GrabExpressStandIn Grab => host.Grab;

    [Fact]
    public async Task An_order_is_delivered_by_a_second_Grab_courier_after_the_first_cancels()
    {
        Grab.Plans.Clear();
        Grab.Plans.AddRange([GrabCourierPlan.DriverCancels, GrabCourierPlan.Deliver]);
        using var client = await Factory.Client();
        var before = Scrape.Parse(await Factory.ScrapeMetrics());

        var order = await PaymentDriving.PlaceAndWait(client, "sandbox", "tok_success", "Completed", "Refunded", "Rejected");

        order.GetProperty("state").GetString().ShouldBe("Completed", order.ToString());
        var orderId = order.GetProperty("orderId").GetGuid();
        var creates = Grab.Requests.Where(r => r.Method == "POST" && r.Path.EndsWith("/v1/deliveries", StringComparison.Ordinal))
            .Select(r => r.Body!).Where(b => b["merchantOrderID"]!.GetValue<string>().StartsWith(orderId.ToString("N"), StringComparison.Ordinal)).ToList();
        creates.Select(b => b["merchantOrderID"]!.GetValue<string>()).ShouldBe([$"{orderId:N}-1", $"{orderId:N}-2"]);
        var first = creates[0];
        first["recipient"]!["phone"]!.GetValue<string>().ShouldBe("84901234567", "Grab takes E.164 without the plus");
        first["recipient"]!["smsEnabled"]!.GetValue<bool>().ShouldBeTrue();
        first["origin"]!["address"]!.GetValue<string>().ShouldBe("15 Le Loi, District 1, Ho Chi Minh City");
        first["destination"]!["coordinates"]!["latitude"]!.GetValue<double>().ShouldBe(10.7743);
        first["packages"]!.AsArray().Count.ShouldBe(2);
        first["packages"]![0]!["dimensions"]!["weight"]!.GetValue<int>().ShouldBe(1000, "two pieces of half a kilogram");
        Grab.Requests.Count(r => r.Path.EndsWith("/quotes", StringComparison.Ordinal) && r.Body?["destination"] is not null).ShouldBeGreaterThanOrEqualTo(1);

        // The bookings as the engine keeps them: the first cancelled by its courier, the second delivered.
        var couriers = order.GetProperty("couriers").EnumerateArray().ToList();
        couriers.Select(c => (c.GetProperty("attempt").GetInt32(), c.GetProperty("provider").GetString(), c.GetProperty("status").GetString()))
            .ShouldBe([(1, "grab", "Cancelled"), (2, "grab", "Delivered")]);
        couriers[1].GetProperty("courier").GetString().ShouldBe("grab: Nguyen Van An (59X1-234.56)");
        couriers[1].GetProperty("fee").GetInt64().ShouldBe(32_000);
        order.GetProperty("timeline").EnumerateArray().Count(t => t.GetProperty("saga").GetString() == "DeliveryHandoff" && t.GetProperty("to").GetString() == "AwaitingCourier")
            .ShouldBe(2);

        // What the customer heard (no notification service here: kept with the order and logged), in the store's Vietnamese.
        var heard = order.GetProperty("notifications").EnumerateArray().ToList();
        var outForDelivery = heard.Single(n => n.GetProperty("kind").GetString() == "order.out-for-delivery");
        outForDelivery.GetProperty("link").GetString().ShouldBe($"https://express.grab.com/track/{couriers[1].GetProperty("deliveryId").GetString()}");
        outForDelivery.GetProperty("text").GetString().ShouldBe("Tài xế Nguyen Van An (59X1-234.56) đang giao đơn hàng của bạn.");
        outForDelivery.GetProperty("posted").GetBoolean().ShouldBeFalse();
        order.GetProperty("delivery").GetProperty("phone").GetString().ShouldBe("+84901234567", "the storefront sees its customer's phone");

        // One token for every call; every call counted.
        Grab.TokensIssued.ShouldBe(1);
        var after = Scrape.Parse(await Factory.ScrapeMetrics());
        (after.Value("courier_calls_total", ("provider", "grab"), ("operation", "book"), ("outcome", "ok"))
            - before.Value("courier_calls_total", ("provider", "grab"), ("operation", "book"), ("outcome", "ok"))).ShouldBe(2);

        // An operator sees the phone masked.
        using var ops = await Factory.Client("ops");
        var seen = await ops.GetFromJsonAsync<JsonElement>(new Uri($"/api/orders/{orderId}", UriKind.Relative));
        seen.GetProperty("delivery").GetProperty("phone").GetString().ShouldBe("*********567");
    }

    [Fact]
    public async Task Webhooks_are_verified_applied_once_and_in_order()
    {
        Grab.Plans.Clear();
        Grab.Plans.Add(GrabCourierPlan.Silent);
        using var client = await Factory.Client();
        var order = await PaymentDriving.PlaceAndWait(client, "sandbox", "tok_success", "ReadyForHandoff");
        var orderId = order.GetProperty("orderId").GetGuid();
        var booking = await WaitForBooking(orderId, 1);

        // Not Grab: refused before anything is read.
        (await Grab.Push(booking.DeliveryId, "PICKING_UP", at: 1_000, authorization: "someone-else")).ShouldBe(HttpStatusCode.BadRequest);
        (await Booking(orderId, 1))!.Status.ShouldBe(Consumers.Delivery.CourierStatus.Allocating);

        (await Grab.Push(booking.DeliveryId, "PICKING_UP", at: 2_000_000_000)).ShouldBe(HttpStatusCode.OK);
        (await Grab.Push(booking.DeliveryId, "PICKING_UP", at: 2_000_000_000)).ShouldBe(HttpStatusCode.OK);
        (await Grab.Push(booking.DeliveryId, "ALLOCATING", at: 1_999_999_000)).ShouldBe(HttpStatusCode.OK);

        var kept = (await Booking(orderId, 1))!;
        kept.Status.ShouldBe(Consumers.Delivery.CourierStatus.CourierAssigned, "an older ALLOCATING does not take the booking back");
        kept.Courier.ShouldBe("grab: Nguyen Van An (59X1-234.56)");
        await PaymentDriving.WaitFor(client, orderId, o => o.GetProperty("timeline").EnumerateArray()
            .Any(t => t.GetProperty("saga").GetString() == "DeliveryHandoff" && t.GetProperty("to").GetString() == "CourierAssigned"));
        (await Factory.Query(db => db.ProviderEvents.CountAsync(e => e.Provider == "grab" && e.OrderId == orderId))).ShouldBe(2, "the duplicate is not recorded again");

        // The rest of the way, and a report for a delivery this engine never booked.
        (await Grab.Push(booking.DeliveryId, "IN_DELIVERY", at: 2_000_000_100)).ShouldBe(HttpStatusCode.OK);
        (await Grab.Push(booking.DeliveryId, "COMPLETED", at: 2_000_000_200)).ShouldBe(HttpStatusCode.OK);
        (await PaymentDriving.WaitFor(client, orderId, o => o.GetProperty("state").GetString() == "Completed")).GetProperty("state").GetString().ShouldBe("Completed");
        using var stranger = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/couriers/grab")
        {
            Content = new StringContent(new JsonObject
            {
                ["deliveryID"] = "IN-2-UNKNOWN", ["merchantOrderID"] = $"{Guid.NewGuid():N}-1", ["status"] = "COMPLETED", ["timestamp"] = 2_000_000_300,
            }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        stranger.Headers.TryAddWithoutValidation("Authorization", GrabExpressStandIn.WebhookSecret);
        var answer = await Grab.WebhookTarget!.SendAsync(stranger);
        answer.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString().ShouldBe("no booking of this engine has that delivery");
    }

    [Fact]
    public async Task A_booking_Grab_refuses_goes_to_the_store_fleet_whose_dispatcher_reports_the_drive()
    {
        Grab.Plans.Clear();
        Grab.Plans.Add(GrabCourierPlan.Silent);
        using var client = await Factory.Client();
        // An address Grab cannot take: its 400 is a refusal, and the store's own fleet is booked at once.
        var body = new JsonObject
        {
            ["customerId"] = "cust-fleet", ["storeId"] = GroceryApiFactory.Store, ["slotId"] = GroceryApiFactory.OpenSlot.ToString(),
            ["lines"] = new JsonArray(new JsonObject { ["sku"] = "DAI-00001", ["quantity"] = 1 }),
            ["payment"] = new JsonObject { ["provider"] = "sandbox", ["token"] = "tok_success" },
            ["delivery"] = new JsonObject { ["address"] = "Ferry pier 3, Can Gio", ["latitude"] = 10.41, ["longitude"] = 106.95, ["phone"] = "+84901234567" },
        };
        Grab.RefuseCreatesNear(10.41);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var placed = await client.SendAsync(request);
        placed.StatusCode.ShouldBe(HttpStatusCode.Accepted, await placed.Content.ReadAsStringAsync());
        var orderId = (await placed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();

        var fleet = await WaitForBooking(orderId, 2);
        fleet.Provider.ShouldBe("store-fleet");
        (await Booking(orderId, 1)).ShouldBeNull("Grab refused: nothing was booked there");

        using var ops = await Factory.Client("ops");
        foreach (var status in new[] { "assigned", "picked-up", "delivered" })
        {
            var update = await ops.PostAsJsonAsync(new Uri($"/api/deliveries/{orderId}/fleet-updates", UriKind.Relative),
                new { attempt = 2, status, courier = "Tran Thi Binh" });
            update.StatusCode.ShouldBe(HttpStatusCode.OK, await update.Content.ReadAsStringAsync());
        }

        var done = await PaymentDriving.WaitFor(client, orderId, o => o.GetProperty("state").GetString() is "Completed" or "Refunded");
        done.GetProperty("state").GetString().ShouldBe("Completed");
        done.GetProperty("couriers").EnumerateArray().Single().GetProperty("courier").GetString().ShouldBe("fleet: Tran Thi Binh");
        var wrong = await ops.PostAsJsonAsync(new Uri($"/api/deliveries/{orderId}/fleet-updates", UriKind.Relative), new { attempt = 2, status = "teleported" });
        wrong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    private async Task<CourierBookingRow> WaitForBooking(Guid orderId, int attempt)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (await Booking(orderId, attempt) is { } booking)
            {
                return booking;
            }

            await Task.Delay(50);
        }

        throw new ShouldAssertException($"Order {orderId} had no booking of attempt {attempt} within 30 s.");
    }

    private Task<CourierBookingRow?> Booking(Guid orderId, int attempt) =>
        Factory.Query(db => db.Set<CourierBookingRow>().AsNoTracking().SingleOrDefaultAsync(b => b.OrderId == orderId && b.Attempt == attempt));
}
