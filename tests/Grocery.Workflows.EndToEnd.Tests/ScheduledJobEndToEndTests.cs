using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Grocery.Workflows.EndToEnd.Tests;

/// <summary>
/// The run command's engine as a process: every job is listed with a schedule per store time zone, a run of each
/// started by hand succeeds, every store has slots 14 days ahead, and a paused job shows paused until resumed.
/// </summary>
[Collection(nameof(SharedServers))]
public sealed class ScheduledJobEndToEndTests
{
    [Fact]
    public async Task On_the_embedded_default_every_job_runs_and_every_store_has_slots_14_days_ahead()
    {
        await using var host = await HostProcess.Start(new Dictionary<string, string>());
        await host.Ready(TimeSpan.FromSeconds(60));
        var client = host.Client;

        var jobs = (await client.GetFromJsonAsync<JsonElement[]>(new Uri("/api/jobs", UriKind.Relative)))!;
        jobs.Select(j => j.GetProperty("job").GetProperty("name").GetString()).ShouldBe(["slot-generation", "stock-reconciliation", "retention"]);
        foreach (var job in jobs.Select(j => j.GetProperty("job")))
        {
            job.GetProperty("triggers").EnumerateArray().Select(t => t.GetProperty("timeZone").GetString())
                .ShouldBe(["Asia/Bangkok", "Asia/Ho_Chi_Minh", "Asia/Singapore"], host.Output);
            job.GetProperty("nextFireAt").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow);
        }

        foreach (var name in new[] { "slot-generation", "stock-reconciliation", "retention" })
        {
            var started = await client.PostAsync(new Uri($"/api/jobs/{name}/runs", UriKind.Relative), null);
            started.StatusCode.ShouldBe(HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
            var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();
            var run = await Finished(client, name, runId);
            run.GetProperty("status").GetString().ShouldBe("Succeeded", run.ToString());
        }

        var stores = (await client.GetFromJsonAsync<JsonElement[]>(new Uri("/api/stores", UriKind.Relative)))!;
        stores.Length.ShouldBe(5);
        foreach (var store in stores)
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(store.GetProperty("timeZone").GetString()!);
            var lastDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DateTime).AddDays(13);
            var slots = await client.GetFromJsonAsync<JsonElement[]>(
                new Uri($"/api/slots?storeId={store.GetProperty("storeId").GetString()}&date={lastDay:yyyy-MM-dd}", UriKind.Relative));
            slots!.Length.ShouldBe(13, $"{store.GetProperty("storeId")} on {lastDay}: one-hour windows from 08:00 to 21:00");
        }

        (await client.PostAsync(new Uri("/api/jobs/stock-reconciliation/pause", UriKind.Relative), null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await Job(client, "stock-reconciliation")).GetProperty("paused").GetBoolean().ShouldBeTrue();
        (await Job(client, "slot-generation")).GetProperty("paused").GetBoolean().ShouldBeFalse();
        (await client.PostAsync(new Uri("/api/jobs/stock-reconciliation/resume", UriKind.Relative), null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await Job(client, "stock-reconciliation")).GetProperty("paused").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task A_pause_survives_a_restart_and_firings_missed_while_stopped_run_once()
    {
        // Fires twice an hour, three seconds apart, at a time the engine will be stopped through.
        var at = DateTimeOffset.UtcNow.AddSeconds(45);
        if (at.Second > 55)
        {
            at = at.AddSeconds(6);
        }

        var environment = new Dictionary<string, string>
        {
            ["Jobs__SlotGenerationCron"] = $"{at.Second},{at.Second + 3} {at.Minute} * * * ?",
            ["Jobs__GenerateSlotsOnStart"] = "false",
            ["Jobs__MisfireThreshold"] = "00:00:01",
        };
        var directory = Directory.CreateTempSubdirectory("grocery-e2e-").FullName;
        try
        {
            await using (var first = await HostProcess.Start(environment, directory))
            {
                await first.Ready(TimeSpan.FromSeconds(60));
                (await first.Client.PostAsync(new Uri("/api/jobs/stock-reconciliation/pause", UriKind.Relative), null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
                (await Job(first.Client, "slot-generation")).GetProperty("nextFireAt").GetDateTimeOffset().ShouldBe(at.AddTicks(-(at.Ticks % TimeSpan.TicksPerSecond)));
                await first.Terminate(TimeSpan.FromSeconds(30));
            }

            DateTimeOffset.UtcNow.ShouldBeLessThan(at, "the engine stopped before the firings");
            await Task.Delay(at.AddSeconds(6) - DateTimeOffset.UtcNow);

            await using var second = await HostProcess.Start(environment, directory);
            await second.Ready(TimeSpan.FromSeconds(60));
            (await Job(second.Client, "stock-reconciliation")).GetProperty("paused").GetBoolean().ShouldBeTrue("the pause is kept in Quartz's store");
            await Task.Delay(TimeSpan.FromSeconds(4));

            var runs = (await second.Client.GetFromJsonAsync<JsonElement[]>(new Uri("/api/jobs/slot-generation/runs", UriKind.Relative)))!;
            runs.Where(r => r.GetProperty("trigger").GetString() == "Scheduled")
                .Select(r => r.GetProperty("timeZone").GetString()).Order()
                .ShouldBe(["Asia/Bangkok", "Asia/Ho_Chi_Minh", "Asia/Singapore"], ignoreOrder: false, customMessage: "two missed firings run once per store time zone:\n" + second.Output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_reconciliation_cut_off_by_SIGTERM_is_written_down_as_interrupted_with_its_batches_kept()
    {
        var server = new NpgsqlConnectionStringBuilder(
            Environment.GetEnvironmentVariable("GROCERY_POSTGRES") ?? "Host=127.0.0.1;Port=5432;Database=grocery;Username=postgres;Password=postgres");
        var admin = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres" }.ConnectionString;
        var database = $"grocery_e2e_{Guid.NewGuid():N}";
        await DemoOrderTests.Execute(admin, $"CREATE DATABASE {database}");
        var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database }.ConnectionString;
        try
        {
            await using var host = await HostProcess.Start(new Dictionary<string, string>
            {
                ["Persistence__Provider"] = "PostgreSql",
                ["ConnectionStrings__Workflows"] = connectionString,
                ["Jobs__ReconciliationBatchSize"] = "1000",
            });
            await host.Ready(TimeSpan.FromSeconds(90));

            // A count of every SKU at every store (250,000), so that the run lasts long enough to be cut off.
            var csv = new StringBuilder("store_id,sku,quantity,counted_at\n");
            var at = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O", CultureInfo.InvariantCulture);
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT store_id, sku FROM stock_balances", connection);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    csv.Append(CultureInfo.InvariantCulture, $"{reader.GetString(0)},{reader.GetString(1)},7,{at}\n");
                }
            }

            using var counts = new StringContent(csv.ToString(), Encoding.UTF8, "text/csv");
            (await host.Client.PostAsync(new Uri("/api/stock/counts", UriKind.Relative), counts)).StatusCode.ShouldBe(HttpStatusCode.OK);
            var started = await host.Client.PostAsync(new Uri("/api/jobs/stock-reconciliation/runs", UriKind.Relative), null);
            var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await host.Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/jobs/stock-reconciliation/runs/{runId}", UriKind.Relative)))
                   .GetProperty("progress").GetProperty("done").GetInt64() == 0)
            {
                DateTime.UtcNow.ShouldBeLessThan(deadline, "the run never reported a batch");
                await Task.Delay(50);
            }

            await host.Terminate(TimeSpan.FromSeconds(30));

            await using var db = new NpgsqlConnection(connectionString);
            await db.OpenAsync();
            await using var query = new NpgsqlCommand(
                "SELECT status, error, progress_done, progress_total, (SELECT count(*) FROM stock_counts WHERE reconciled_run_id = @run) FROM job_runs WHERE run_id = @run", db);
            query.Parameters.AddWithValue("run", runId);
            await using var row = await query.ExecuteReaderAsync();
            (await row.ReadAsync()).ShouldBeTrue();
            var error = await row.IsDBNullAsync(1) ? null : row.GetString(1);
            (row.GetString(0), error).ShouldBe(("Failed", "Interrupted: the engine shut down during the run."), host.Output);
            var (done, total, reconciled) = (row.GetInt64(2), row.GetInt64(3), row.GetInt64(4));
            total.ShouldBe(250_000);
            done.ShouldBeLessThan(total, "cut off before the end");
            reconciled.ShouldBeGreaterThanOrEqualTo(done, "every batch it reported stays reconciled");
            reconciled.ShouldBeLessThan(total);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await DemoOrderTests.Execute(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    private static async Task<JsonElement> Job(HttpClient client, string name) =>
        (await client.GetFromJsonAsync<JsonElement[]>(new Uri("/api/jobs", UriKind.Relative)))!
        .Select(j => j.GetProperty("job")).Single(j => j.GetProperty("name").GetString() == name);

    private static async Task<JsonElement> Finished(HttpClient client, string job, Guid runId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var run = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/jobs/{job}/runs/{runId}", UriKind.Relative));
            if (run.GetProperty("status").GetString() is "Succeeded" or "Failed")
            {
                return run;
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, $"run {runId} of {job} still {run.GetProperty("status")}");
            await Task.Delay(200);
        }
    }
}
