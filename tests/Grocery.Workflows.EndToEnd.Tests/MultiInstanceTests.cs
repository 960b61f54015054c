namespace Grocery.Workflows.EndToEnd.Tests;

/// <summary>Two engine processes on one PostgreSQL database, one RabbitMQ virtual host and one Redis; one is killed with kill -9.</summary>
[Collection(nameof(SharedServers))]
public sealed class MultiInstanceTests
{
    [Fact]
    public async Task Two_instances_take_100_orders_one_is_killed_and_every_order_ends_once_with_stock_and_slots_balanced()
    {
        await using var stack = await ProductionRun.Create();
        HostProcess? a = null;
        HostProcess? b = null;
        try
        {
            a = await HostProcess.Start(stack.Environment);
            await a.Ready(TimeSpan.FromSeconds(90));
            b = await HostProcess.Start(stack.Environment);
            await b.Ready(TimeSpan.FromSeconds(90));
            var catalogue = await ProductionRun.Catalogue(b.Client);

            for (var i = 0; i < 100; i++)
            {
                if (i == 40)
                {
                    a.Kill();
                }

                await ProductionRun.Place(i % 2 == 0 && i < 40 ? a.Client : b.Client, catalogue, i);
            }

            await a.DisposeAsync();
            a = await HostProcess.Start(stack.Environment);
            await a.Ready(TimeSpan.FromSeconds(90));

            var byState = await stack.WaitUntilTerminal(100, TimeSpan.FromSeconds(120), () => $"A:\n{a.Output}\nB:\n{b.Output}");

            byState.GetValueOrDefault("Completed").ShouldBeGreaterThan(90, string.Join(", ", byState));
            await stack.AssertBalanced();
        }
        finally
        {
            if (a is not null)
            {
                await a.DisposeAsync();
            }

            if (b is not null)
            {
                await b.DisposeAsync();
            }
        }
    }
}
