using System.Net.Http.Json;
using System.Text.Json;
using Grocery.Workflows.Tests.Shared;

namespace Grocery.Workflows.EndToEnd.Tests;

/// <summary>
/// The production stack (PostgreSQL, RabbitMQ, Redis) with its couriers booked at a local server that speaks
/// GrabExpress's Delivery API and posts Grab's status webhooks to the engine's port.
/// </summary>
[Collection(nameof(SharedServers))]
public sealed class GrabDeliveryEndToEndTests
{
    [Fact]
    public async Task An_order_is_delivered_through_Grab_after_one_courier_cancels_and_a_second_dispatch()
    {
        await using var stack = await ProductionRun.Create();
        await using var grab = await GrabExpressStandIn.Start();
        grab.Plans.Clear();
        grab.Plans.AddRange([GrabCourierPlan.DriverCancels, GrabCourierPlan.Deliver]);
        var environment = new Dictionary<string, string>(stack.Environment)
        {
            ["Couriers__Provider"] = "grab",
            ["Couriers__Fallback"] = "store-fleet",
            ["Grab__ClientId"] = GrabExpressStandIn.ClientId,
            ["Grab__ClientSecret"] = GrabExpressStandIn.ClientSecret,
            ["Grab__WebhookSecret"] = GrabExpressStandIn.WebhookSecret,
            ["Grab__ApiBase"] = grab.ApiBase,
            ["Grab__TokenUrl"] = grab.TokenUrl,
        };
        await using var host = await HostProcess.Start(environment);
        await host.Ready(TimeSpan.FromSeconds(90));
        using var webhooks = new HttpClient { BaseAddress = host.BaseAddress };
        grab.WebhookTarget = webhooks;

        var orderId = await ProductionRun.Place(host.Client, await ProductionRun.Catalogue(host.Client), 0);
        var byState = await stack.WaitUntilTerminal(1, TimeSpan.FromSeconds(120), () => host.Output);

        byState.GetValueOrDefault("Completed").ShouldBe(1, string.Join(", ", byState) + "\n" + host.Output);
        var order = await host.Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/orders/{orderId}", UriKind.Relative));
        order.GetProperty("couriers").EnumerateArray().Select(c => (c.GetProperty("attempt").GetInt32(), c.GetProperty("status").GetString()))
            .ShouldBe([(1, "Cancelled"), (2, "Delivered")]);
        grab.Deliveries.Values.Select(d => d["merchantOrderID"]!.GetValue<string>()).Order().ShouldBe([$"{orderId:N}-1", $"{orderId:N}-2"]);
        grab.Webhooks.ShouldAllBe(w => w.Status == System.Net.HttpStatusCode.OK);
        order.GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("kind").GetString())
            .ShouldContain("order.out-for-delivery");
        (await stack.Scalar($"SELECT count(*) FROM provider_events WHERE provider = 'grab' AND order_id = '{orderId}'")).ShouldBe(grab.Webhooks.Count);
        await stack.AssertBalanced();
    }
}
