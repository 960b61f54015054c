using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Grocery.Workflows.Api.Tests.Operations;

/// <summary>
/// One order, one trace: from the storefront's request through every saga transition, activity and outbox delivery,
/// however many times the work went through a database row in between.
/// </summary>
public sealed class TracingTests(GroceryApiFactory factory) : IClassFixture<GroceryApiFactory>, IDisposable
{
    private readonly ConcurrentBag<Activity> _activities = [];
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name is "MassTransit" or "Grocery.Workflows" or "Microsoft.AspNetCore",
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task Every_span_of_an_order_continues_the_trace_of_the_request_that_placed_it()
    {
        _listener.ActivityStopped = _activities.Add;
        ActivitySource.AddActivityListener(_listener);
        using var client = await factory.Client();
        var traceId = ActivityTraceId.CreateRandom();

        using var response = await StorefrontOrders.Post(client, "sandbox", "tok_success", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var orderId = (await StorefrontOrders.OrderIdOf(response)).ToString();

        await StorefrontOrders.WaitForState(client, Guid.Parse(orderId), "Completed");

        await Task.Delay(500);
        var ofOrder = _activities.Where(a => a.GetTagItem("grocery.order_id")?.ToString() == orderId).ToList();
        ofOrder.Select(a => a.TraceId).Distinct().ShouldBe([traceId]);
        var consumed = ofOrder.Where(a => a.Source.Name == "MassTransit" && a.Kind == ActivityKind.Consumer).ToList();
        // The happy path consumes at least 14 messages; the sagas' messages to each other are applied inline, with spans of their own.
        consumed.Count.ShouldBeGreaterThanOrEqualTo(14, $"consumer spans: {string.Join(", ", consumed.Select(a => a.DisplayName))}");
        ofOrder.Count(a => a.Source.Name == "Grocery.Workflows" && a.DisplayName == "outbox deliver").ShouldBeGreaterThanOrEqualTo(14);
        var received = consumed.Select(a => a.GetTagItem("messaging.masstransit.message_types")?.ToString() ?? "").ToList();
        foreach (var message in new[] { "Orders:OrderSubmitted", "Slots:SlotHoldTaken", "Payments:AuthorizePayment", "Picking:PickListReported", "Payments:PaymentCaptured", "Delivery:ParcelDelivered" })
        {
            received.ShouldContain(m => m.EndsWith(message, StringComparison.Ordinal), $"no consumer span for {message}");
        }

        var inline = ofOrder.Where(a => a.DisplayName == "inline step").Select(a => a.GetTagItem("messaging.message.type")?.ToString()).ToList();
        inline.ShouldContain("StartPicking");
        inline.ShouldContain("DeliveryCompleted");
    }
}
