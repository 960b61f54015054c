using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Grocery.Workflows.Api.Tests;

/// <summary>
/// From its 202 on an order exists for its client, before the order saga has its first state. The outbox dispatcher is
/// off here, so the saga never takes over and the order stays as it was accepted for as long as the test looks.
/// </summary>
public sealed class SubmittedOrderTests : IAsyncLifetime
{
    private GroceryApiFactory Factory { get; } = new();

    public Task InitializeAsync()
    {
        Factory.Settings["Outbox:DispatcherEnabled"] = "false";
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    [Fact]
    public async Task An_accepted_order_answers_200_Submitted_with_what_was_ordered_in_the_order_and_the_list_and_can_be_cancelled()
    {
        using var client = await Factory.Client();
        var body = $$"""
            {"customerId": "cust-7", "storeId": "{{GroceryApiFactory.Store}}", "slotId": "{{GroceryApiFactory.OpenSlot}}",
             "lines": [{"sku": "DAI-00001", "quantity": 2}, {"sku": "PRO-00001", "quantity": 1.5}],
             "payment": {"provider": "sandbox", "token": "tok_success"}, "delivery": {"address": "15 Nguyen Hue, District 1", "latitude": 10.7743, "longitude": 106.7038, "phone": "+84901234567"}, "substitutionPreference": "refund"}
            """;
        using var post = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        post.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var accepted = await client.SendAsync(post);
        accepted.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var orderId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();

        var get = await client.GetAsync(new Uri($"/api/orders/{orderId}", UriKind.Relative));
        var list = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/orders?state=Submitted", UriKind.Relative));
        var all = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/orders", UriKind.Relative));
        var cancel = await client.PostAsJsonAsync(new Uri($"/api/orders/{orderId}/cancel", UriKind.Relative), new { reason = "wrong slot" });

        get.StatusCode.ShouldBe(HttpStatusCode.OK);
        var order = await get.Content.ReadFromJsonAsync<JsonElement>();
        order.GetProperty("state").GetString().ShouldBe("Submitted");
        order.GetProperty("storeId").GetString().ShouldBe(GroceryApiFactory.Store);
        order.GetProperty("customerId").GetString().ShouldBe("cust-7");
        order.GetProperty("slotId").GetGuid().ShouldBe(GroceryApiFactory.OpenSlot);
        order.GetProperty("windowStart").GetDateTimeOffset().ShouldBe(GroceryApiFactory.OpenWindow);
        order.GetProperty("substitutionPreference").GetString().ShouldBe("Refund");
        order.GetProperty("lines").EnumerateArray().Select(l => (l.GetProperty("sku").GetString(), l.GetProperty("quantity").GetDecimal()))
            .ShouldBe([("DAI-00001", 2m), ("PRO-00001", 1.5m)]);
        order.GetProperty("lines")[0].GetProperty("name").GetString().ShouldBe("Fresh Milk 1 L");
        // 2 x 45,700 + 1.5 x 30,500 VND at the test store's prices.
        order.GetProperty("totals").GetProperty("estimated").GetInt64().ShouldBe(137_150);
        order.GetProperty("totals").GetProperty("currency").GetString().ShouldBe("VND");
        order.GetProperty("payment").GetProperty("provider").GetString().ShouldBe("sandbox");
        order.GetProperty("timeline").GetArrayLength().ShouldBe(0);

        var listed = list.GetProperty("items").EnumerateArray().Single(o => o.GetProperty("orderId").GetGuid() == orderId);
        listed.GetProperty("state").GetString().ShouldBe("Submitted");
        listed.GetProperty("estimatedTotal").GetInt64().ShouldBe(137_150);
        all.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("orderId").GetGuid()).ShouldContain(orderId);
        cancel.StatusCode.ShouldBe(HttpStatusCode.Accepted);
    }
}
