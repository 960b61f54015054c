namespace Grocery.Workflows.EndToEnd.Tests;

/// <summary>
/// A first deploy, or a rollout that brings a migration, starts several instances at once on a database that has no
/// schema yet: one migrates, seeds and stores the job schedule, the others wait for it, and all of them become ready.
/// </summary>
[Collection(nameof(SharedServers))]
public sealed class StartupRaceTests
{
    private const int Instances = 3;

    [Fact]
    public async Task Three_instances_started_together_on_an_empty_PostgreSQL_database_all_become_ready()
    {
        await using var stack = await ProductionRun.Create();
        var starting = Enumerable.Range(0, Instances).Select(_ => HostProcess.Start(stack.Environment)).ToList();
        try
        {
            var hosts = await Task.WhenAll(starting);
            await Task.WhenAll(hosts.Select(h => h.Ready(TimeSpan.FromSeconds(120))));

            var catalogue = await ProductionRun.Catalogue(hosts[^1].Client);
            catalogue.Slots.ShouldNotBeEmpty("the seed ran once and completely");
        }
        finally
        {
            await StopStarted(starting);
        }
    }

    /// <summary>Stops every instance that started, also when another one failed to (none is left running).</summary>
    private static async Task StopStarted(List<Task<HostProcess>> starting)
    {
        foreach (var start in starting)
        {
            try
            {
                await (await start).DisposeAsync();
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                // That one never started: Start said why, and the test fails on it.
            }
        }
    }

    [Fact]
    public async Task Three_instances_started_together_on_one_new_SQLite_file_all_become_ready()
    {
        var directory = Directory.CreateTempSubdirectory("grocery-e2e-race-").FullName;
        try
        {
            // The embedded default, three times in one working directory: one data/grocery.db, one Quartz file.
            var starting = Enumerable.Range(0, Instances).Select(_ => HostProcess.Start(new Dictionary<string, string>(), directory)).ToList();
            try
            {
                var hosts = await Task.WhenAll(starting);
                await Task.WhenAll(hosts.Select(h => h.Ready(TimeSpan.FromSeconds(120))));
                hosts.Select(h => h.BaseAddress).Distinct().Count().ShouldBe(Instances, "each instance answers on a port of its own");
            }
            finally
            {
                await StopStarted(starting);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
