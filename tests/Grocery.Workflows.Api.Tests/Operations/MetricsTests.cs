using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using System.Net;

namespace Grocery.Workflows.Api.Tests.Operations;

/// <summary>
/// What Prometheus scrapes at /metrics of the management port after real orders ran through the engine. Counters are
/// process-wide and other test classes place orders too, so each assertion is about at least this test's own
/// increments. The gauges read the database of the running host: this class runs alone, so that its host is the only one.
/// </summary>
[Collection(MetricsAlone.Name)]
public sealed class MetricsTests(GroceryApiFactory factory) : IClassFixture<GroceryApiFactory>
{
    private static async Task<Guid> Place(HttpClient client, string token)
    {
        using var response = await StorefrontOrders.Post(client, "sandbox", token);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return await StorefrontOrders.OrderIdOf(response);
    }

    [Fact]
    public async Task A_completed_order_is_counted_and_the_scrape_passes_promtool()
    {
        using var client = await factory.Client();
        var before = Scrape.Parse(await factory.ScrapeMetrics());

        var orderId = await Place(client, "tok_success");
        await StorefrontOrders.WaitForState(client, orderId, "Completed");

        var text = await factory.ScrapeMetrics();
        var after = Scrape.Parse(text);
        after.Value("orders_completed_total").ShouldBeGreaterThanOrEqualTo(before.Value("orders_completed_total") + 1);
        after.Value("saga_transitions_total", ("saga", "Order"), ("to", "Completed"))
            .ShouldBeGreaterThanOrEqualTo(before.Value("saga_transitions_total", ("saga", "Order"), ("to", "Completed")) + 1);
        after.Value("slot_booking_successes_total", ("store", GroceryApiFactory.Store))
            .ShouldBeGreaterThanOrEqualTo(before.Value("slot_booking_successes_total", ("store", GroceryApiFactory.Store)) + 1);
        // The simulator finds every line short, proposes a replacement and the customer approves it.
        after.Value("substitution_proposals_total").ShouldBeGreaterThanOrEqualTo(before.Value("substitution_proposals_total") + 1);
        after.Value("substitution_acceptances_total", ("decided_by", "customer"))
            .ShouldBeGreaterThanOrEqualTo(before.Value("substitution_acceptances_total", ("decided_by", "customer")) + 1);
        foreach (var operation in new[] { "authorize", "capture" })
        {
            after.Value("payment_operations_total", ("provider", "sandbox"), ("operation", operation), ("outcome", "ok"))
                .ShouldBeGreaterThanOrEqualTo(before.Value("payment_operations_total", ("provider", "sandbox"), ("operation", operation), ("outcome", "ok")) + 1);
        }

        after.Value("saga_instances", ("saga", "Order"), ("state", "Completed")).ShouldBeGreaterThanOrEqualTo(1);
        after.Value("http_request_duration_seconds_count", ("method", "POST"), ("endpoint", "/api/orders/"), ("code", "202"))
            .ShouldBeGreaterThanOrEqualTo(1);
        after.Value("http_request_duration_seconds_bucket", ("method", "POST"), ("endpoint", "/api/orders/"), ("code", "202"), ("le", "1"))
            .ShouldBeGreaterThan(0);
        // The simulator's steps are scheduled messages: each one's lateness is measured.
        after.Value("deadline_lag_seconds_count").ShouldBeGreaterThan(before.Value("deadline_lag_seconds_count"));
        after.Value("cluster_gauges_refreshed_timestamp_seconds").ShouldBeGreaterThan(0);

        var (exitCode, output) = await Promtool("check metrics", text);
        exitCode.ShouldBe(0, output);
    }

    [Theory]
    [InlineData("tok_decline", "PaymentDeclined", "refused")]
    [InlineData("tok_provider_error", "PaymentFailed", "error")]
    public async Task A_rejected_order_is_counted_with_its_reason_and_the_payment_call_with_its_outcome(string token, string reason, string outcome)
    {
        using var client = await factory.Client();
        var before = Scrape.Parse(await factory.ScrapeMetrics());

        var orderId = await Place(client, token);
        await StorefrontOrders.WaitForState(client, orderId, "Rejected");

        var after = Scrape.Parse(await factory.ScrapeMetrics());
        after.Value("orders_rejected_total", ("reason", reason)).ShouldBeGreaterThanOrEqualTo(before.Value("orders_rejected_total", ("reason", reason)) + 1);
        after.Value("payment_operations_total", ("provider", "sandbox"), ("operation", "authorize"), ("outcome", outcome))
            .ShouldBeGreaterThanOrEqualTo(before.Value("payment_operations_total", ("provider", "sandbox"), ("operation", "authorize"), ("outcome", outcome)) + 1);
    }

    [Fact]
    public async Task A_request_that_throws_is_measured_with_the_500_it_answers()
    {
        await using var throwing = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IStartupFilter, ThrowingPath>()));
        using var client = throwing.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", factory.Token(new Host.Security.TokenRequest(Api.Security.GroceryRoles.All)));
        var before = Scrape.Parse(await throwing.ScrapeMetrics()).Value("http_request_duration_seconds_count", ("code", "500"), ("method", "GET"));

        using var response = await client.GetAsync(new Uri(ThrowingPath.Path, UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        Scrape.Parse(await throwing.ScrapeMetrics()).Value("http_request_duration_seconds_count", ("code", "500"), ("method", "GET"))
            .ShouldBe(before + 1);
    }

    [Fact]
    public async Task A_clients_mistake_that_throws_in_binding_is_measured_as_its_400_not_a_500()
    {
        using var client = await factory.Client();
        var scrape = Scrape.Parse(await factory.ScrapeMetrics());
        var before = (Bad: scrape.Value("http_request_duration_seconds_count", ("code", "400"), ("method", "GET")),
            Failed: scrape.Value("http_request_duration_seconds_count", ("code", "500"), ("method", "GET")));

        // In Development a value that does not bind throws BadHttpRequestException through the exception handler.
        using var response = await client.GetAsync(new Uri("/api/orders?limit=many", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        scrape = Scrape.Parse(await factory.ScrapeMetrics());
        scrape.Value("http_request_duration_seconds_count", ("code", "400"), ("method", "GET")).ShouldBe(before.Bad + 1);
        scrape.Value("http_request_duration_seconds_count", ("code", "500"), ("method", "GET")).ShouldBe(before.Failed);
    }

    /// <summary>A path whose handler throws, at the end of the engine's own pipeline.</summary>
    private sealed class ThrowingPath : IStartupFilter
    {
        public const string Path = "/test/throws";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Run(context => context.Request.Path == Path
                ? throw new InvalidOperationException("thrown by the test")
                : Task.CompletedTask);
        };
    }

    [Fact]
    public async Task Promtool_refuses_a_scrape_that_breaks_the_format()
    {
        var (exitCode, _) = await Promtool("check metrics", "# TYPE broken counter\nbroken{le=\"x\" 1\n");
        exitCode.ShouldNotBe(0);
    }

    /// <summary>Runs promtool (scripts/tools.sh installs it) with the text on standard input.</summary>
    private static async Task<(int ExitCode, string Output)> Promtool(string arguments, string input)
    {
        var start = new ProcessStartInfo("promtool", arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("promtool is not installed: run bash scripts/tools.sh", exception);
        }

        using (process)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
            var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, output);
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public static class MetricsAlone
{
    public const string Name = "metrics, alone";
}

/// <summary>A Prometheus text exposition, read just enough to find a series by its name and some of its labels.</summary>
internal sealed class Scrape
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _series = [];

    public static Scrape Parse(string text)
    {
        var scrape = new Scrape();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith('#')))
        {
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.LastIndexOf(' ');
            var name = brace < 0 ? line[..space] : line[..brace];
            var labels = new Dictionary<string, string>();
            if (brace >= 0)
            {
                var body = line[(brace + 1)..line.LastIndexOf('}')];
                foreach (var pair in body.Split("\",", StringSplitOptions.RemoveEmptyEntries))
                {
                    var equals = pair.IndexOf('=', StringComparison.Ordinal);
                    labels[pair[..equals]] = pair[(equals + 2)..].TrimEnd('"');
                }
            }

            scrape._series.Add((name, labels, double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture)));
        }

        return scrape;
    }

    public bool Has(string name) => _series.Exists(s => s.Name == name);

    /// <summary>The sum over the series of that name whose labels include these (0 when there is none).</summary>
    public double Value(string name, params (string Label, string Value)[] labels) =>
        _series.Where(s => s.Name == name && Array.TrueForAll(labels, l => s.Labels.GetValueOrDefault(l.Label) == l.Value)).Sum(s => s.Value);
}
