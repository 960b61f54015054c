using System.Net;
using Grocery.Workflows.Host.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Api.Tests.Operations;

/// <summary>
/// The Prometheus scrape is served by the management server (Management:Urls) and by nothing else: the API port, which
/// the ingress reaches, answers 404 at /metrics, and the management port answers nothing but GET /metrics.
/// </summary>
public sealed class ManagementPortTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Metrics_are_served_on_the_management_port_and_not_on_the_api_port()
    {
        await using var factory = new GroceryApiFactory();
        using var client = await factory.Client();

        (await client.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var address = factory.Services.GetRequiredService<ManagementServer>().Addresses.ShouldHaveSingleItem();
        address.Host.ShouldBe("127.0.0.1");
        address.Port.ShouldNotBe(0);
        using var scrape = await Http.GetAsync(new Uri(address, "/metrics"));
        scrape.StatusCode.ShouldBe(HttpStatusCode.OK);
        scrape.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        var text = await scrape.Content.ReadAsStringAsync();
        text.ShouldContain("\norders_completed_total ");
        text.ShouldContain("# TYPE http_request_duration_seconds histogram");
        text.ShouldContain("cluster_gauges_refreshed_timestamp_seconds");
    }

    [Fact]
    public async Task The_management_port_answers_nothing_but_get_metrics()
    {
        await using var factory = new GroceryApiFactory();
        _ = await factory.Client();
        var address = factory.Services.GetRequiredService<ManagementServer>().Addresses[0];

        foreach (var path in new[] { "/health/live", "/api/stores", "/metrics/x", "/" })
        {
            (await Http.GetAsync(new Uri(address, path))).StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
        }

        (await Http.PostAsync(new Uri(address, "/metrics"), null)).StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task An_empty_management_url_turns_the_management_server_off()
    {
        await using var factory = new GroceryApiFactory();
        factory.Settings["Management:Urls"] = "";
        using var client = await factory.Client();

        factory.Services.GetRequiredService<ManagementServer>().Addresses.ShouldBeEmpty();
        (await client.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public void A_management_url_that_is_not_plain_http_stops_the_start()
    {
        using var factory = new GroceryApiFactory();
        factory.Settings["Management:Urls"] = "https://127.0.0.1:0";

        var failure = Should.Throw<InvalidOperationException>(() => factory.CreateClient());

        failure.Message.ShouldContain("Management:Urls 'https://127.0.0.1:0' is not an http:// address");
    }
}
