using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Grocery.Workflows.Api.Tests;

public sealed class FailureApiTests(GroceryApiFactory factory) : IClassFixture<GroceryApiFactory>
{
    private static async Task<JsonElement[]> FailuresOf(HttpClient client, Guid orderId, int atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var failures = await client.GetFromJsonAsync<JsonElement[]>(new Uri($"/api/failures?orderId={orderId}", UriKind.Relative));
            if (failures!.Length >= atLeast)
            {
                return failures;
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, $"fewer than {atLeast} failed messages for order {orderId}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task A_message_that_fails_after_its_retries_is_kept_with_its_exception_and_can_be_replayed()
    {
        using var client = await factory.Client();
        var body = $$$"""
            {"customerId": "cust-9", "storeId": "{{{GroceryApiFactory.Store}}}", "slotId": "{{{GroceryApiFactory.OpenSlot}}}",
             "lines": [{"sku": "DAI-00001", "quantity": 1}], "payment": {"provider": "sandbox", "token": "tok_provider_error"}, "delivery": {"address": "15 Nguyen Hue, District 1", "latitude": 10.7743, "longitude": 106.7038, "phone": "+84901234567"}}
            """;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var orderId = (await (await client.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();

        var failure = (await FailuresOf(client, orderId, 1))[0];

        failure.GetProperty("messageType").GetString().ShouldBe("urn:message:Grocery.Workflows.Contracts.Payments:AuthorizePayment");
        failure.GetProperty("exceptionType").GetString().ShouldBe("System.Net.Http.HttpRequestException");
        failure.GetProperty("exceptionMessage").GetString()!.ShouldContain("503");
        failure.GetProperty("inputAddress").GetString()!.ShouldEndWith("authorize-payment");
        var id = failure.GetProperty("id").GetInt64();
        var detail = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/failures/{id}", UriKind.Relative));
        detail.GetProperty("body").GetString()!.ShouldContain(orderId.ToString());
        // The payment token, the machine and process, and source paths stay inside the engine.
        var shown = detail.GetRawText();
        shown.ShouldNotContain("tok_provider_error");
        shown.ShouldContain("[redacted]");
        shown.ShouldNotContain("machineName", Case.Insensitive);
        shown.ShouldNotContain("processId", Case.Insensitive);
        (await client.GetStringAsync(new Uri($"/api/failures?orderId={orderId}", UriKind.Relative))).ShouldNotContain("tok_provider_error");
        shown.ShouldNotContain(":line ");
        var saga = await client.GetStringAsync(new Uri($"/api/sagas/Order/{orderId}", UriKind.Relative));
        saga.ShouldContain(orderId.ToString());
        saga.ShouldNotContain("tok_provider_error");

        // The authorization's failure rejected the order: a plain replay would call the provider for an ended order.
        var order = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/orders/{orderId}", UriKind.Relative));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (order.GetProperty("state").GetString() != "Rejected")
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, $"the order was not rejected: {order}");
            await Task.Delay(100);
            order = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/orders/{orderId}", UriKind.Relative));
        }

        var refused = await client.PostAsync(new Uri($"/api/failures/{id}/replay", UriKind.Relative), null);
        var replay = await client.PostAsync(new Uri($"/api/failures/{id}/replay?force=true", UriKind.Relative), null);
        var again = await client.PostAsync(new Uri($"/api/failures/{id}/replay?force=true", UriKind.Relative), null);

        refused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("has ended (Rejected)");
        replay.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("replayCount").GetInt32().ShouldBe(1);
        // Queued, or already failed again: either way this failure's replay is under way or done, not to be sent twice.
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        // The provider still fails: the replayed message went through the consumer and its retries again.
        var failures = await FailuresOf(client, orderId, 2);
        failures.Select(f => f.GetProperty("messageId").GetGuid()).Distinct().Count().ShouldBe(1);
        var newer = failures.Max(f => f.GetProperty("id").GetInt64());
        var stale = await client.PostAsync(new Uri($"/api/failures/{id}/replay?force=true", UriKind.Relative), null);
        stale.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await stale.Content.ReadAsStringAsync()).ShouldContain($"replay failure {newer} instead");
    }

    [Fact]
    public async Task Unknown_failures_are_404_problems()
    {
        using var client = await factory.Client();

        var get = await client.GetAsync(new Uri("/api/failures/987654", UriKind.Relative));
        var replay = await client.PostAsync(new Uri("/api/failures/987654/replay", UriKind.Relative), null);

        get.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        replay.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        replay.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }
}
