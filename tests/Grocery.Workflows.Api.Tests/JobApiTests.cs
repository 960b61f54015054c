using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Host.Security;
using Grocery.Workflows.Persistence.Catalog;
using Grocery.Workflows.Persistence.Jobs;
using Grocery.Workflows.Persistence.Telemetry;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using JobRunStatus = Grocery.Workflows.Persistence.Jobs.JobRunStatus;

namespace Grocery.Workflows.Api.Tests;

/// <summary>The jobs API on the embedded default: list, run by hand, follow a run, refuse a second one, pause and resume.</summary>
public sealed class JobApiTests(GroceryApiFactory factory) : IClassFixture<GroceryApiFactory>
{
    public static async Task<JsonElement> Finished(HttpClient client, string job, Guid runId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var run = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/jobs/{job}/runs/{runId}", UriKind.Relative));
            if (run.GetProperty("status").GetString() is "Succeeded" or "Failed")
            {
                return run;
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, $"run {runId} of {job} still {run.GetProperty("status")}");
            await Task.Delay(100);
        }
    }

    private static async Task<Guid> Start(HttpClient client, string job, string? storeId = null)
    {
        var response = await client.PostAsJsonAsync($"/api/jobs/{job}/runs", new { storeId });
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();
        response.Headers.Location!.ToString().ShouldBe($"/api/jobs/{job}/runs/{runId}");
        return runId;
    }

    [Fact]
    public async Task Every_job_is_listed_and_a_manual_run_of_each_succeeds_with_its_summary()
    {
        using var client = await factory.Client();
        await factory.Query(async db =>
        {
            // The test catalogue has no templates: give one store a window every day.
            db.SlotTemplates.AddRange(Enum.GetValues<DayOfWeek>().Select(d => new SlotTemplate
            {
                StoreId = GroceryApiFactory.OtherStore, DayOfWeek = d, LocalStart = new TimeOnly(10, 0), Capacity = 5, CutOffMinutes = 60,
            }));
            return await db.SaveChangesAsync();
        });

        var jobs = await client.GetFromJsonAsync<JsonElement[]>(new Uri("/api/jobs", UriKind.Relative));
        jobs!.Select(j => j.GetProperty("job").GetProperty("name").GetString()).ShouldBe(["slot-generation", "stock-reconciliation", "retention"]);

        var slots = await Finished(client, "slot-generation", await Start(client, "slot-generation", GroceryApiFactory.OtherStore));
        slots.GetProperty("status").GetString().ShouldBe("Succeeded", slots.ToString());
        (slots.GetProperty("trigger").GetString(), slots.GetProperty("storeId").GetString()).ShouldBe(("Manual", GroceryApiFactory.OtherStore));
        var summary = slots.GetProperty("summary");
        (summary.GetProperty("stores").GetInt32(), summary.GetProperty("days").GetInt32(), summary.GetProperty("created").GetInt32()).ShouldBe((1, 14, 14));
        slots.GetProperty("progress").GetProperty("percent").GetDecimal().ShouldBe(100m);
        (await factory.Query(db => db.DeliverySlots.CountAsync(s => s.StoreId == GroceryApiFactory.OtherStore && s.Capacity == 5))).ShouldBe(14);

        var stock = await Finished(client, "stock-reconciliation", await Start(client, "stock-reconciliation"));
        stock.GetProperty("status").GetString().ShouldBe("Succeeded", stock.ToString());
        stock.GetProperty("summary").GetProperty("stores").GetArrayLength().ShouldBe(2);
        stock.GetProperty("finishedAt").GetDateTimeOffset().ShouldBeGreaterThanOrEqualTo(stock.GetProperty("startedAt").GetDateTimeOffset());

        // Nothing here is old enough to go: the run archives and deletes nothing, and says so.
        var retention = await Finished(client, "retention", await Start(client, "retention"));
        retention.GetProperty("status").GetString().ShouldBe("Succeeded", retention.ToString());
        var kept = retention.GetProperty("summary");
        (kept.GetProperty("orders").GetInt32(), kept.GetProperty("auditRows").GetInt32(), kept.GetProperty("archiveFiles").GetArrayLength()).ShouldBe((0, 0, 0));

        var listed = await client.GetFromJsonAsync<JsonElement[]>(new Uri("/api/jobs", UriKind.Relative));
        listed![1].GetProperty("lastRun").GetProperty("runId").GetGuid().ShouldBe(stock.GetProperty("runId").GetGuid());
        var history = await client.GetFromJsonAsync<JsonElement[]>(new Uri("/api/jobs/slot-generation/runs?limit=5", UriKind.Relative));
        history!.Select(r => r.GetProperty("runId").GetGuid()).ShouldContain(slots.GetProperty("runId").GetGuid());
    }

    [Fact]
    public async Task A_manual_run_while_a_run_of_the_job_is_active_is_refused_not_doubled()
    {
        using var client = await factory.Client();
        var running = Guid.NewGuid();
        await factory.Query(db =>
        {
            // A run in progress on some instance, reporting as it goes.
            db.JobRuns.Add(new JobRun
            {
                RunId = running, JobName = "stock-reconciliation", Trigger = JobRunTrigger.Scheduled, Status = JobRunStatus.Running,
                RequestedAt = DateTimeOffset.UtcNow, StartedAt = DateTimeOffset.UtcNow, HeartbeatAt = DateTimeOffset.UtcNow, Instance = "elsewhere",
            });
            return db.SaveChangesAsync();
        });
        var before = await factory.Query(db => db.JobRuns.CountAsync());

        var response = await client.PostAsync(new Uri("/api/jobs/stock-reconciliation/runs", UriKind.Relative), null);

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("activeRunId").GetGuid().ShouldBe(running);
        (await factory.Query(db => db.JobRuns.CountAsync())).ShouldBe(before, "nothing was queued");

        await factory.Query(db => db.JobRuns.Where(r => r.RunId == running).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, JobRunStatus.Succeeded)));
        await Finished(client, "stock-reconciliation", await Start(client, "stock-reconciliation"));
    }

    [Fact]
    public async Task A_start_up_firing_that_meets_an_active_run_is_tried_again_once_it_ends()
    {
        using var client = await factory.Client();
        await Finished(client, "slot-generation", await Start(client, "slot-generation"));
        var active = Guid.NewGuid();
        await factory.Query(db =>
        {
            db.JobRuns.Add(new JobRun
            {
                RunId = active, JobName = "slot-generation", Trigger = JobRunTrigger.Manual, Status = JobRunStatus.Queued,
                RequestedAt = DateTimeOffset.UtcNow, HeartbeatAt = DateTimeOffset.UtcNow,
            });
            return db.SaveChangesAsync();
        });
        var startups = await factory.Query(db => db.JobRuns.CountAsync(r => r.JobName == "slot-generation" && r.Trigger == JobRunTrigger.Startup));

        var scheduler = await factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.TriggerJob(new JobKey("slot-generation", "grocery"), new JobDataMap { ["trigger"] = "Startup" });
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        (await factory.Query(db => db.JobRuns.CountAsync(r => r.JobName == "slot-generation" && r.Trigger == JobRunTrigger.Startup)))
            .ShouldBe(startups, "deferred while the queued run is there");

        await factory.Query(db => db.JobRuns.Where(r => r.RunId == active).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, JobRunStatus.Succeeded)));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await factory.Query(db => db.JobRuns.CountAsync(r => r.JobName == "slot-generation" && r.Trigger == JobRunTrigger.Startup
                   && r.Status == JobRunStatus.Succeeded)) == startups)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the deferred firing never ran");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task An_instance_without_a_scheduler_refuses_runs_with_503()
    {
        await factory.Client();
        using var apiOnly = factory.WithWebHostBuilder(b => b.UseSetting("Jobs:Enabled", "false"));
        using var client = apiOnly.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", factory.Token(new TokenRequest([GroceryRoles.Scheduler])));

        var response = await client.PostAsync(new Uri("/api/jobs/slot-generation/runs", UriKind.Relative), null);

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Runs_are_counted_by_job_and_outcome_with_their_duration()
    {
        using var client = await factory.Client();
        var runs = WorkflowMetrics.JobRuns.WithLabels("slot-generation", "Succeeded");
        var durations = WorkflowMetrics.JobRunDuration.WithLabels("slot-generation", "Succeeded");
        var (runsBefore, durationsBefore) = (runs.Value, durations.Count);

        await Finished(client, "slot-generation", await Start(client, "slot-generation"));

        runs.Value.ShouldBeGreaterThanOrEqualTo(runsBefore + 1);
        durations.Count.ShouldBeGreaterThanOrEqualTo(durationsBefore + 1);
    }

    [Fact]
    public async Task Bad_requests_get_problem_details()
    {
        using var client = await factory.Client();
        var cases = new (HttpMethod Method, string Path, HttpStatusCode Status)[]
        {
            (HttpMethod.Post, "/api/jobs/nightly-nothing/runs", HttpStatusCode.NotFound),
            (HttpMethod.Get, "/api/jobs/nightly-nothing/runs", HttpStatusCode.NotFound),
            (HttpMethod.Post, "/api/jobs/nightly-nothing/pause", HttpStatusCode.NotFound),
            (HttpMethod.Post, "/api/jobs/nightly-nothing/resume", HttpStatusCode.NotFound),
            (HttpMethod.Get, $"/api/jobs/slot-generation/runs/{Guid.NewGuid()}", HttpStatusCode.NotFound),
            (HttpMethod.Get, "/api/jobs/slot-generation/runs?limit=0", HttpStatusCode.BadRequest),
        };
        foreach (var (method, path, status) in cases)
        {
            using var response = await client.SendAsync(new HttpRequestMessage(method, path));
            response.StatusCode.ShouldBe(status, path);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", path);
        }

        var unknownStore = await client.PostAsJsonAsync("/api/jobs/slot-generation/runs", new { storeId = "nowhere" });
        unknownStore.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unknownStore.Content.ReadAsStringAsync()).ShouldContain("nowhere");
        (await factory.Query(db => db.JobRuns.CountAsync(r => r.StoreId == "nowhere"))).ShouldBe(0);
    }
}
