using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grocery.Workflows.Api.Limits;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Host.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Api.Tests;

/// <summary>
/// The rate limits on small settings whose periods are an hour, so that nothing refills while a test runs: orders per
/// client (token subject) and per customer, replays and job runs per operator; each refusal is 429 problem+json with
/// Retry-After and names its setting. A caller without a token is 401 before any limit.
/// </summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private GroceryApiFactory Factory { get; } = new();

    public Task InitializeAsync()
    {
        Limit("OrdersPerClient", 40);
        Limit("OrdersPerCustomer", 5);
        Limit("ReplaysPerOperator", 2);
        Limit("JobRunsPerOperator", 2);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    private void Limit(string name, int permits)
    {
        Factory.Settings[$"RateLimits:{name}:Permits"] = permits.ToString(CultureInfo.InvariantCulture);
        Factory.Settings[$"RateLimits:{name}:Burst"] = permits.ToString(CultureInfo.InvariantCulture);
        Factory.Settings[$"RateLimits:{name}:Period"] = "01:00:00";
    }

    private Task<HttpClient> Storefront(string subject) =>
        Factory.Client(new TokenRequest([GroceryRoles.Storefront], Name: subject, Subject: subject));

    private static async Task<HttpResponseMessage> Place(HttpClient client, string customerId, string? key = null)
    {
        var body = $$$"""
            {"customerId": "{{{customerId}}}", "storeId": "{{{GroceryApiFactory.Store}}}", "slotId": "{{{GroceryApiFactory.OpenSlot}}}",
             "lines": [{"sku": "DAI-00001", "quantity": 1}], "payment": {"provider": "sandbox", "token": "tok_success"}, "delivery": {"address": "15 Nguyen Hue, District 1", "latitude": 10.7743, "longitude": 106.7038, "phone": "+84901234567"}}
            """;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return await client.SendAsync(request);
    }

    private static async Task<JsonElement> TooMany(HttpResponseMessage response, string setting)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        // Whole seconds; the longest wait is the period (an hour here).
        var retryAfter = response.Headers.RetryAfter!.Delta!.Value;
        retryAfter.ShouldBeInRange(TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        (retryAfter.Ticks % TimeSpan.TicksPerSecond).ShouldBe(0);
        var problem = JsonDocument.Parse(text).RootElement;
        problem.GetProperty("status").GetInt32().ShouldBe(429);
        problem.GetProperty("limit").GetString().ShouldBe(setting);
        problem.GetProperty("retryAfter").GetInt64().ShouldBe((long)retryAfter.TotalSeconds);
        problem.GetProperty("detail").GetString()!.ShouldContain($"({setting})");
        problem.GetProperty("detail").GetString()!.ShouldContain($"Try again in {(long)retryAfter.TotalSeconds} s");
        return problem;
    }

    [Fact]
    public async Task The_41st_order_in_a_burst_from_one_client_is_429_and_another_client_is_not_affected()
    {
        using var shop = await Storefront("shop-a");

        for (var i = 0; i < 40; i++)
        {
            var placed = await Place(shop, $"burst-{i}");
            placed.StatusCode.ShouldBe(HttpStatusCode.Accepted, $"order {i + 1}: {await placed.Content.ReadAsStringAsync()}");
        }

        var refused = await TooMany(await Place(shop, "burst-40"), "RateLimits:OrdersPerClient");
        refused.GetProperty("detail").GetString()!.ShouldStartWith("This client may place 40 orders per hour");
        // The limit follows the subject, not the token: a new token of the same subject is refused as well.
        using var sameSubject = await Storefront("shop-a");
        await TooMany(await Place(sameSubject, "burst-41"), "RateLimits:OrdersPerClient");
        using var otherShop = await Storefront("shop-b");
        (await Place(otherShop, "burst-42")).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await Factory.Query(db => db.OrderRequests.CountAsync(r => r.CustomerId.StartsWith("burst-")))).ShouldBe(41);
    }

    [Fact]
    public async Task The_sixth_order_of_a_customer_within_the_window_is_429_while_another_customers_order_passes()
    {
        using var backend = await Storefront("storefront-backend");
        for (var i = 0; i < 5; i++)
        {
            (await Place(backend, "cust-a")).StatusCode.ShouldBe(HttpStatusCode.Accepted, $"order {i + 1}");
        }

        var refused = await TooMany(await Place(backend, "cust-a"), "RateLimits:OrdersPerCustomer");
        refused.GetProperty("detail").GetString()!.ShouldStartWith("A customer may place 5 orders per hour");
        (await Place(backend, "cust-b")).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        // Per customer, whichever client places the order: the customer's own token is refused too.
        using var customer = await Factory.Client(GroceryRoles.Storefront, customer: "cust-a");
        await TooMany(await Place(customer, "cust-a"), "RateLimits:OrdersPerCustomer");
        (await Factory.Query(db => db.OrderRequests.CountAsync(r => r.CustomerId == "cust-a"))).ShouldBe(5);
    }

    [Fact]
    public async Task An_idempotent_replay_answers_as_before_and_is_not_counted()
    {
        using var backend = await Storefront("storefront-backend");
        var first = await Place(backend, "cust-r", key: "order-1");
        first.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var orderId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
        for (var i = 2; i <= 4; i++)
        {
            (await Place(backend, "cust-r", key: $"order-{i}")).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        for (var i = 0; i < 3; i++)
        {
            var replay = await Place(backend, "cust-r", key: "order-1");
            replay.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid().ShouldBe(orderId);
        }

        (await Place(backend, "cust-r", key: "order-5")).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await TooMany(await Place(backend, "cust-r", key: "order-6"), "RateLimits:OrdersPerCustomer");
        // Over the limit, a replay still answers its order.
        var late = await Place(backend, "cust-r", key: "order-1");
        late.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid().ShouldBe(orderId);
    }

    [Fact]
    public async Task Replays_are_limited_per_operator()
    {
        using var first = await Factory.Client(new TokenRequest([GroceryRoles.Ops], Name: "Operator 1", Subject: "op-1"));
        using var second = await Factory.Client(new TokenRequest([GroceryRoles.Ops], Name: "Operator 2", Subject: "op-2"));
        var replay = new Uri("/api/failures/987654/replay", UriKind.Relative);

        // Every request to the route counts, whatever it answers.
        (await first.PostAsync(replay, null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await first.PostAsync(replay, null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var refused = await TooMany(await first.PostAsync(replay, null), "RateLimits:ReplaysPerOperator");

        refused.GetProperty("detail").GetString()!.ShouldStartWith("An operator may replay 2 failed messages per hour");
        (await second.PostAsync(replay, null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // Limits are separate: the operator over the replay limit still starts job runs.
        (await first.PostAsync(new Uri("/api/jobs/no-such-job/runs", UriKind.Relative), null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Job_runs_are_limited_per_operator()
    {
        using var first = await Factory.Client(new TokenRequest([GroceryRoles.Scheduler], Name: "Scheduler 1", Subject: "scheduler-1"));
        using var second = await Factory.Client(new TokenRequest([GroceryRoles.Scheduler], Name: "Scheduler 2", Subject: "scheduler-2"));
        var run = new Uri("/api/jobs/no-such-job/runs", UriKind.Relative);

        (await first.PostAsync(run, null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await first.PostAsync(run, null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var refused = await TooMany(await first.PostAsync(run, null), "RateLimits:JobRunsPerOperator");

        refused.GetProperty("detail").GetString()!.ShouldStartWith("A caller may start 2 job runs per hour");
        (await second.PostAsync(run, null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var runs = await Factory.Query(db => db.JobRuns.CountAsync(r => r.Trigger != Persistence.Jobs.JobRunTrigger.Startup));
        runs.ShouldBe(0);
    }

    [Fact]
    public async Task A_request_without_a_token_is_401_never_429()
    {
        using var anonymous = await Factory.ClientWith(null);

        // Were the limit counted before authentication, every anonymous caller would share one bucket of 2.
        for (var i = 0; i < 4; i++)
        {
            var replay = await anonymous.PostAsync(new Uri("/api/failures/987654/replay", UriKind.Relative), null);
            replay.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, $"request {i + 1}");
            replay.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            (await Place(anonymous, "cust-anonymous")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task A_bucket_smaller_than_its_permits_stops_the_start_naming_the_setting()
    {
        Factory.Settings["RateLimits:OrdersPerCustomer:Burst"] = "2";

        var failure = await Should.ThrowAsync<OptionsValidationException>(() => Factory.Client());

        failure.Message.ShouldContain("RateLimits:OrdersPerCustomer:Burst");
    }

    [Fact]
    public void The_defaults_in_appsettings_json_are_the_settings_class_defaults()
    {
        // The host's appsettings.json is copied next to the tests; the factory overrides it, so it is read here.
        var bound = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json")).Build()
            .GetSection(RateLimitSettings.Section).Get<RateLimitSettings>()!;
        var defaults = new RateLimitSettings();

        foreach (var (name, of) in new (string, Func<RateLimitSettings, RateLimit>)[]
                 {
                     ("OrdersPerClient", s => s.OrdersPerClient), ("OrdersPerCustomer", s => s.OrdersPerCustomer),
                     ("ReplaysPerOperator", s => s.ReplaysPerOperator), ("JobRunsPerOperator", s => s.JobRunsPerOperator),
                 })
        {
            (of(bound).Permits, of(bound).Period, of(bound).BucketSize).ShouldBe((of(defaults).Permits, of(defaults).Period, of(defaults).BucketSize), name);
        }

        defaults.OrdersPerClient.Describe("orders").ShouldBe("20 orders per second, up to 40 at once");
        defaults.OrdersPerCustomer.Describe("orders").ShouldBe("5 orders per minute");
        defaults.ReplaysPerOperator.Describe("failed messages").ShouldBe("30 failed messages per minute");
        defaults.JobRunsPerOperator.Describe("job runs").ShouldBe("10 job runs per minute");
    }
}
