using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grocery.Workflows.Persistence.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Api.Tests;

/// <summary>
/// What a page elsewhere can make a browser send without a CORS preflight (a form, multipart or text/plain) changes
/// nothing, even on the routes that take no body: each is 415 problem+json before the route runs. Without a token it is
/// 401 first.
/// </summary>
public sealed class StateChangingRequestTests : IAsyncLifetime
{
    private GroceryApiFactory Factory { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    private static readonly (string Name, Func<HttpContent> Body)[] PageBodies =
    [
        ("application/x-www-form-urlencoded", () => new FormUrlEncodedContent([new("force", "true")])),
        ("multipart/form-data", () => new MultipartFormDataContent { { new StringContent("true"), "force" } }),
        ("text/plain", () => new StringContent("{\"force\": true}", Encoding.UTF8, "text/plain")),
    ];

    [Fact]
    public async Task A_form_or_text_body_to_a_state_changing_route_is_415_and_changes_nothing()
    {
        using var client = await Factory.Client();
        var failedOrder = await Place(client, "tok_provider_error");
        var failure = await FailureOf(client, failedOrder);
        var order = await Place(client, "tok_success");
        var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(20).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var closures = $"/api/stores/{GroceryApiFactory.OtherStore}/closures";
        (await client.PutAsJsonAsync($"{closures}/{day}", new { reason = "Stock-take" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        // Paused, so that a resume would show.
        (await client.PostAsync(new Uri("/api/jobs/slot-generation/pause", UriKind.Relative), null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var before = await Stored(client, closures);

        foreach (var (method, route) in new[]
                 {
                     (HttpMethod.Post, "/api/jobs/stock-reconciliation/pause"),
                     (HttpMethod.Post, "/api/jobs/slot-generation/resume"),
                     (HttpMethod.Post, $"/api/failures/{failure}/replay?force=true"),
                     (HttpMethod.Delete, $"{closures}/{day}"),
                     (HttpMethod.Post, $"/api/orders/{order}/cancel"),
                     (HttpMethod.Post, "/api/jobs/stock-reconciliation/runs"),
                     (HttpMethod.Post, "/api/stock/counts"),
                 })
        {
            foreach (var (type, body) in PageBodies)
            {
                using var request = new HttpRequestMessage(method, route) { Content = body() };

                var response = await client.SendAsync(request);

                response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType, $"{method} {route} with {type}");
                response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", $"{method} {route} with {type}");
            }
        }

        (await Stored(client, closures)).ShouldBe(before);
        var rested = await Rested(client, order);
        rested.ShouldNotBe("Cancelled");
    }

    [Fact]
    public async Task A_form_without_a_token_is_401_not_415()
    {
        using var anonymous = await Factory.ClientWith(null);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/jobs/stock-reconciliation/pause") { Content = PageBodies[0].Body() };

        var response = await anonymous.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    /// <summary>What the refused requests would have changed: closures, job runs, paused jobs, replays of failures.</summary>
    private async Task<string> Stored(HttpClient client, string closures)
    {
        var days = await client.GetFromJsonAsync<JsonElement[]>(new Uri(closures, UriKind.Relative));
        var jobs = await client.GetFromJsonAsync<JsonElement[]>(new Uri("/api/jobs", UriKind.Relative));
        var runs = await Factory.Query(db => db.JobRuns.CountAsync(r => r.Trigger != JobRunTrigger.Startup));
        var replays = await Factory.Query(db => db.FailedMessages.SumAsync(f => f.ReplayCount));
        return $"closures {string.Join(',', days!.Select(d => d.GetProperty("date").GetString()))}; "
            + $"paused {string.Join(',', jobs!.Where(j => j.GetProperty("job").GetProperty("paused").GetBoolean()).Select(j => j.GetProperty("job").GetProperty("name").GetString()))}; "
            + $"runs {runs}; replays {replays}";
    }

    private static async Task<Guid> Place(HttpClient client, string paymentToken)
    {
        var body = $$$"""
            {"customerId": "cust-page", "storeId": "{{{GroceryApiFactory.Store}}}", "slotId": "{{{GroceryApiFactory.OpenSlot}}}",
             "lines": [{"sku": "DAI-00001", "quantity": 1}], "payment": {"provider": "sandbox", "token": "{{{paymentToken}}}"}, "delivery": {"address": "15 Nguyen Hue, District 1", "latitude": 10.7743, "longitude": 106.7038, "phone": "+84901234567"}}
            """;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
    }

    private static async Task<long> FailureOf(HttpClient client, Guid orderId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var failures = await client.GetFromJsonAsync<JsonElement[]>(new Uri($"/api/failures?orderId={orderId}", UriKind.Relative));
            if (failures!.Length > 0)
            {
                return failures[0].GetProperty("id").GetInt64();
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, $"no failed message for order {orderId}");
            await Task.Delay(200);
        }
    }

    /// <summary>The state the order rests in; the simulator runs it to its end in a few seconds.</summary>
    private static async Task<string> Rested(HttpClient client, Guid orderId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var state = (await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/orders/{orderId}", UriKind.Relative))).GetProperty("state").GetString()!;
            if (Grocery.Workflows.Sagas.SagaCatalog.Order.RestingStates.Contains(state))
            {
                return state;
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, $"order {orderId} still {state}");
            await Task.Delay(100);
        }
    }
}
