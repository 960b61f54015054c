using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Catalog;
using Grocery.Workflows.Persistence.Jobs;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace Grocery.Workflows.Api.Tests;

/// <summary>
/// Two engine instances on one PostgreSQL database share Quartz's clustered job store: every scheduled firing runs
/// on one of them, never on both. Needs the PostgreSQL of scripts/services.sh (GROCERY_POSTGRES); fails without it.
/// </summary>
public sealed class ClusteredJobTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Default = "Host=127.0.0.1;Port=5432;Database=grocery;Username=postgres;Password=postgres";
    private readonly string _name = $"grocery_test_{Guid.NewGuid():N}";
    private string _server = "";
    private string _database = "";

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable("GROCERY_POSTGRES");
        _server = new NpgsqlConnectionStringBuilder(string.IsNullOrWhiteSpace(configured) ? Default : configured) { Database = "postgres" }.ToString();
        _database = new NpgsqlConnectionStringBuilder(_server) { Database = _name }.ToString();
        await Execute($"CREATE DATABASE {_name}");
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Execute($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }

    [Fact]
    public async Task Two_instances_fire_each_scheduled_run_once()
    {
        // The first start migrates (Quartz's tables included); the stores are what the triggers are made from.
        await using (var first = new Instance(_database))
        {
            await using var scope = first.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
            db.Stores.AddRange(
                new Store { StoreId = "hcm", Name = "HCM", City = "Ho Chi Minh City", TimeZone = "Asia/Ho_Chi_Minh", Currency = "VND", PriceFactor = 254m, PriceRounding = 100 },
                new Store { StoreId = "sgp", Name = "SGP", City = "Singapore", TimeZone = "Asia/Singapore", Currency = "SGD", PriceFactor = 1.35m });
            await db.SaveChangesAsync();
        }

        var started = DateTimeOffset.UtcNow;
        await using (var a = new Instance(_database, everyTwoSeconds: true))
        await using (var b = new Instance(_database, everyTwoSeconds: true))
        {
            _ = a.Services;
            _ = b.Services;
            await Task.Delay(TimeSpan.FromSeconds(10));
        }

        var runs = await Query(db => db.JobRuns.AsNoTracking().Where(r => r.JobName == "slot-generation" && r.Trigger == JobRunTrigger.Scheduled).ToListAsync());
        foreach (var run in runs.OrderBy(r => r.ScheduledFor))
        {
            output.WriteLine($"{run.TimeZone} {run.ScheduledFor:HH:mm:ss} {run.Status} on {run.Instance}");
        }

        runs.ShouldAllBe(r => r.Status == JobRunStatus.Succeeded && r.ScheduledFor >= started);
        runs.GroupBy(r => (r.TimeZone, r.ScheduledFor)).ShouldAllBe(g => g.Count() == 1, "a firing ran on two instances");
        foreach (var zone in new[] { "Asia/Ho_Chi_Minh", "Asia/Singapore" })
        {
            runs.Count(r => r.TimeZone == zone).ShouldBeGreaterThanOrEqualTo(3, $"a firing every 2 s for about 10 s in {zone}");
        }

        runs.Select(r => r.Instance).Distinct().Count().ShouldBeLessThanOrEqualTo(2);
    }

    private async Task<T> Query<T>(Func<WorkflowDbContext, Task<T>> query)
    {
        var options = new DbContextOptionsBuilder<PostgresWorkflowDbContext>().UseNpgsql(_database).Options;
        await using var db = new PostgresWorkflowDbContext(options);
        return await query(db);
    }

    private async Task Execute(string sql)
    {
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed class Instance(string connectionString, bool everyTwoSeconds = false) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Persistence:Provider", "PostgreSql");
            builder.UseSetting("ConnectionStrings:Workflows", connectionString);
            builder.UseSetting("Seed:Enabled", "false");
            builder.UseSetting("Simulation:Enabled", "true");
            builder.UseSetting("Jobs:Enabled", everyTwoSeconds.ToString());
            builder.UseSetting("Jobs:GenerateSlotsOnStart", "false");
            builder.UseSetting("Jobs:SlotGenerationCron", "0/2 * * * * ?");
            builder.UseSetting("Jobs:ClusterCheckinInterval", "00:00:01");
            builder.UseSetting("Management:Urls", "http://127.0.0.1:0");
        }
    }
}
