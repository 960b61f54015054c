using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Persistence.Catalog;
using Grocery.Workflows.Persistence.Slots;
using Grocery.Workflows.Persistence.Stock;
using Grocery.Workflows.Persistence.Telemetry;
using Grocery.Workflows.Sagas.Slots;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Api.Tests;

/// <summary>
/// Checkout takes the slot hold and the stock itself, in the order's transaction, and answers at once: 202 with the
/// hold's expiry, or 422 with nothing kept.
/// </summary>
public sealed class CheckoutTests(GroceryApiFactory factory) : IClassFixture<GroceryApiFactory>
{
    private static string Body(Guid slotId, string customer = "cust-checkout", string sku = "DAI-00001", int quantity = 1) => new JsonObject
    {
        ["customerId"] = customer,
        ["storeId"] = GroceryApiFactory.Store,
        ["slotId"] = slotId.ToString(),
        ["lines"] = new JsonArray(new JsonObject { ["sku"] = sku, ["quantity"] = quantity }),
        ["payment"] = new JsonObject { ["provider"] = "sandbox", ["token"] = "tok_success" },
        ["delivery"] = new JsonObject { ["address"] = "15 Nguyen Hue, District 1", ["latitude"] = 10.7743, ["longitude"] = 106.7038, ["phone"] = "+84901234567" },
    }.ToJsonString();

    private static async Task<HttpResponseMessage> Post(HttpClient client, string body, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return await client.SendAsync(request);
    }

    private static int _slots;

    private async Task<Guid> NewSlot(int capacity)
    {
        var slotId = Guid.NewGuid();
        // A window of its own: a store has one slot per window start.
        var window = GroceryApiFactory.OpenWindow.AddDays(1).AddHours(Interlocked.Increment(ref _slots));
        await factory.Query(async db =>
        {
            db.DeliverySlots.Add(new DeliverySlot
            {
                SlotId = slotId, StoreId = GroceryApiFactory.Store, Capacity = capacity,
                WindowStart = window, WindowEnd = window.AddHours(1), CutOffAt = window.AddHours(-2),
            });
            return await db.SaveChangesAsync();
        });
        return slotId;
    }

    private Task<DeliverySlot> Slot(Guid slotId) => factory.Query(db => db.DeliverySlots.AsNoTracking().SingleAsync(s => s.SlotId == slotId));

    [Fact]
    public async Task An_accepted_order_has_its_slot_held_and_its_stock_reserved_when_the_answer_comes()
    {
        using var client = await factory.Client();
        var slotId = await NewSlot(capacity: 5);
        var key = Guid.NewGuid().ToString();
        var holdDuration = factory.Services.GetRequiredService<SlotReservationSettings>().HoldDuration;
        var before = DateTimeOffset.UtcNow;

        var response = await Post(client, Body(slotId), key);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        var orderId = accepted.GetProperty("orderId").GetGuid();
        var heldUntil = accepted.GetProperty("slotHeldUntil").GetDateTimeOffset();
        heldUntil.ShouldBeInRange(before + holdDuration, DateTimeOffset.UtcNow + holdDuration);
        // Read before anything else could run: checkout itself committed the hold and the reservation.
        (await factory.Query(db => db.SlotHolds.AsNoTracking().SingleAsync(h => h.OrderId == orderId))).SlotId.ShouldBe(slotId);
        var slot = await Slot(slotId);
        (slot.Held + slot.Confirmed).ShouldBe(1);
        (await factory.Query(db => db.StockLedger.CountAsync(l => l.OrderId == orderId && l.Movement == StockMovement.Reserved))).ShouldBe(1);

        var again = await Post(client, Body(slotId), key);

        again.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var replayed = await again.Content.ReadFromJsonAsync<JsonElement>();
        replayed.GetProperty("orderId").GetGuid().ShouldBe(orderId);
        replayed.GetProperty("slotHeldUntil").GetDateTimeOffset().ShouldBe(heldUntil, TimeSpan.FromMilliseconds(1));
        (await factory.Query(db => db.SlotHolds.CountAsync(h => h.OrderId == orderId))).ShouldBe(1, "a replay takes no second hold");
    }

    [Fact]
    public async Task Concurrent_orders_for_the_last_places_of_a_slot_get_exactly_those_places_and_the_rest_are_refused()
    {
        using var client = await factory.Client();
        var slotId = await NewSlot(capacity: 3);
        var attempts = WorkflowMetrics.SlotBookingAttempts.WithLabels(GroceryApiFactory.Store).Value;
        var successes = WorkflowMetrics.SlotBookingSuccesses.WithLabels(GroceryApiFactory.Store).Value;

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Post(client, Body(slotId, customer: $"cust-rush-{i}"))));

        responses.Count(r => r.StatusCode == HttpStatusCode.Accepted).ShouldBe(3);
        var refused = responses.Where(r => r.StatusCode != HttpStatusCode.Accepted).ToList();
        refused.ShouldAllBe(r => r.StatusCode == HttpStatusCode.UnprocessableEntity);
        foreach (var response in refused)
        {
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            (await response.Content.ReadAsStringAsync()).ShouldContain("full", Case.Insensitive);
        }

        var slot = await Slot(slotId);
        (slot.Held + slot.Confirmed).ShouldBe(3);
        (await factory.Query(db => db.OrderRequests.CountAsync(r => r.SlotId == slotId))).ShouldBe(3);
        (await factory.Query(db => db.SlotHolds.CountAsync(h => h.SlotId == slotId))).ShouldBe(3);
        // Counted at checkout (other tests may count at the same store meanwhile: these are lower bounds).
        (WorkflowMetrics.SlotBookingSuccesses.WithLabels(GroceryApiFactory.Store).Value - successes).ShouldBeGreaterThanOrEqualTo(3);
        (WorkflowMetrics.SlotBookingAttempts.WithLabels(GroceryApiFactory.Store).Value - attempts).ShouldBeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public async Task A_line_short_of_stock_is_refused_and_the_slot_hold_taken_for_it_is_rolled_back()
    {
        using var client = await factory.Client();
        var slotId = await NewSlot(capacity: 5);
        // One piece left of a product of its own, in a category of its own: no other order reserves it, and no
        // picker offers it as a substitute (which would take stock this test counts on).
        const string sku = "TST-LAST-1";
        await factory.Query(async db =>
        {
            db.Products.Add(new Product { Sku = sku, Name = "Last piece on the shelf", Category = "Checkout test only", Unit = SaleUnit.Each, BasePriceUsCents = 100 });
            db.StockBalances.Add(new StockBalance { StoreId = GroceryApiFactory.Store, Sku = sku, OnHandMilli = 1_000, UpdatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });

        var response = await Post(client, Body(slotId, sku: sku, quantity: 2));

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("title").GetString().ShouldBe("Out of stock");
        problem.GetProperty("detail").GetString()!.ShouldContain(sku);
        var slot = await Slot(slotId);
        (slot.Held, slot.Confirmed).ShouldBe((0, 0));
        (await factory.Query(db => db.SlotHolds.CountAsync(h => h.SlotId == slotId))).ShouldBe(0);
        (await factory.Query(db => db.OrderRequests.CountAsync(r => r.SlotId == slotId))).ShouldBe(0);
        (await factory.Query(db => db.StockBalances.AsNoTracking()
            .Where(b => b.StoreId == GroceryApiFactory.Store && b.Sku == sku).Select(b => b.ReservedMilli).SingleAsync())).ShouldBe(0);

        var one = await Post(client, Body(slotId, sku: sku, quantity: 1));

        one.StatusCode.ShouldBe(HttpStatusCode.Accepted, "the last piece can still be sold");
    }
}
