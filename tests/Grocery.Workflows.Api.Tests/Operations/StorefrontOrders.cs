using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Grocery.Workflows.Api.Tests.Operations;

/// <summary>What the storefront sends: one small order of the test store's open slot.</summary>
internal static class StorefrontOrders
{
    public static async Task<HttpResponseMessage> Post(HttpClient client, string provider, string token, string? traceParent = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = JsonContent.Create(new JsonObject
            {
                ["customerId"] = "cust-operations",
                ["storeId"] = GroceryApiFactory.Store,
                ["slotId"] = GroceryApiFactory.OpenSlot.ToString(),
                ["lines"] = new JsonArray(new JsonObject { ["sku"] = "DAI-00001", ["quantity"] = 2 }),
                ["payment"] = new JsonObject { ["provider"] = provider, ["token"] = token },
                ["delivery"] = new JsonObject { ["address"] = "15 Nguyen Hue, District 1", ["latitude"] = 10.7743, ["longitude"] = 106.7038, ["phone"] = "+84901234567" },
                ["substitutionPreference"] = "accept",
            }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        if (traceParent is not null)
        {
            request.Headers.Add("traceparent", traceParent);
        }

        return await client.SendAsync(request);
    }

    public static async Task<Guid> OrderIdOf(HttpResponseMessage accepted) =>
        (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();

    public static async Task WaitForState(HttpClient client, Guid orderId, string state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            // 404 until the order saga has taken the order.
            using var response = await client.GetAsync(new Uri($"/api/orders/{orderId}", UriKind.Relative));
            if (response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString() == state)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new ShouldAssertException($"Order {orderId} did not reach {state} in 30 s");
    }
}
