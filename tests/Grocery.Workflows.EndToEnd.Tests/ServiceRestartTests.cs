using System.Diagnostics;
using System.Net;

namespace Grocery.Workflows.EndToEnd.Tests;

/// <summary>
/// PostgreSQL, RabbitMQ or Redis goes down while orders are in flight and comes back: readiness says so meanwhile,
/// and afterwards every order ends, nothing lands in the error queue, stock and slots balance.
/// </summary>
[Collection(nameof(SharedServers))]
public sealed class ServiceRestartTests
{
    [Theory]
    [InlineData("postgres")]
    [InlineData("rabbitmq")]
    [InlineData("redis")]
    public async Task Orders_in_flight_ride_out_a_restart_of(string service)
    {
        await using var stack = await ProductionRun.Create();
        await using var host = await HostProcess.Start(stack.Environment);
        await host.Ready(TimeSpan.FromSeconds(90));
        var catalogue = await ProductionRun.Catalogue(host.Client);
        for (var i = 0; i < 20; i++)
        {
            await ProductionRun.Place(host.Client, catalogue, i);
        }

        await ProductionRun.Outage("stop", service);
        try
        {
            await NotReady(host, TimeSpan.FromSeconds(30));
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        finally
        {
            await ProductionRun.Outage("start", service);
        }

        await host.Ready(TimeSpan.FromSeconds(60));
        for (var i = 20; i < 40; i++)
        {
            await ProductionRun.Place(host.Client, catalogue, i);
        }

        var byState = await stack.WaitUntilTerminal(40, TimeSpan.FromSeconds(150), () => host.Output);
        byState.GetValueOrDefault("Completed").ShouldBeGreaterThan(36, string.Join(", ", byState));
        await stack.AssertBalanced();
    }

    private static async Task NotReady(HostProcess host, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            using var ready = await host.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            if (ready.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new ShouldAssertException($"/health/ready still answered 200 {timeout} after the dependency went down\n{host.Output}");
    }
}
