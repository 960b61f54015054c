using Grocery.Workflows.Host.Telemetry;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Api.Tests.Operations;

/// <summary>The scrape of a test host, from its management server (the tests' hosts bind it to port 0).</summary>
internal static class ManagementPort
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>GET /metrics at the first address the host's management server is bound to (starts the host if needed).</summary>
    public static Uri MetricsOf(WebApplicationFactory<Program> factory)
    {
        var addresses = factory.Services.GetRequiredService<ManagementServer>().Addresses;
        addresses.ShouldNotBeEmpty("the host's management server is off (Management:Urls is empty)");
        return new Uri(addresses[0], "/metrics");
    }

    public static Task<string> ScrapeMetrics(this WebApplicationFactory<Program> factory) => Http.GetStringAsync(MetricsOf(factory));
}
