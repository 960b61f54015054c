using System.Text.Json;
using System.Text.Json.Nodes;
using Grocery.Workflows.Api.Audit;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Jobs;
using Grocery.Workflows.Api.Limits;
using Grocery.Workflows.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Api.Jobs;

public sealed record RunJobRequest(string? StoreId);

public sealed record RunAccepted(Guid RunId);

public sealed record JobProgress(long Done, long Total, decimal? Percent);

public sealed record JobRunView(
    Guid RunId, string Job, string Trigger, string Status, string? StoreId, string? TimeZone, DateTimeOffset? ScheduledFor,
    DateTimeOffset RequestedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, JobProgress Progress, JsonElement? Summary,
    string? Error, string? Instance);

public sealed record JobDetails(JobView Job, JobRunView? LastRun);

/// <summary>For schedulers: the jobs with their schedules, manual runs, run history and progress, pause and resume.</summary>
public static class JobEndpoints
{
    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/jobs").WithTags("Jobs");
        jobs.MapGet("/", List).RequireAuthorization(GroceryPolicies.OpsOrScheduler).WithSummary("Every job: schedule per store time zone, next and last fire, paused or not, and its last run.");
        jobs.MapPost("/{name}/runs", Run).RequireAuthorization(GroceryPolicies.OpsOrScheduler).Accepts<RunJobRequest>("application/json").WithBodyLimit(RequestLimits.SmallBody).WithRateLimit(RateLimits.JobRunsPerOperator).WithSummary("Starts a run now (for one store when storeId is given); 409 while a run of the job is queued or running.");
        jobs.MapGet("/{name}/runs", Runs).RequireAuthorization(GroceryPolicies.OpsOrScheduler).WithSummary("The job's runs, newest first.");
        jobs.MapGet("/{name}/runs/{runId:guid}", RunById).RequireAuthorization(GroceryPolicies.OpsOrScheduler).WithSummary("One run: status, progress, start, end and summary.");
        jobs.MapPost("/{name}/pause", Pause).RequireAuthorization(GroceryPolicies.Ops).WithSummary("Stops the job's schedule; a manual run still starts.");
        jobs.MapPost("/{name}/resume", Resume).RequireAuthorization(GroceryPolicies.Ops).WithSummary("Resumes the job's schedule; a firing missed while paused runs once.");
        return app;
    }

    private static async Task<Ok<JobDetails[]>> List(IJobControl control, WorkflowDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await Details(control, db, cancellationToken));

    /// <summary>Every job with its schedules and its last run, as the API and the ops console show them.</summary>
    public static async Task<JobDetails[]> Details(IJobControl control, WorkflowDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(db);
        var jobs = await control.List(cancellationToken);
        var details = new List<JobDetails>();
        foreach (var job in jobs)
        {
            var last = await db.JobRuns.AsNoTracking().Where(r => r.JobName == job.Name)
                .OrderByDescending(r => r.RequestedAt).FirstOrDefaultAsync(cancellationToken);
            details.Add(new JobDetails(job, last is null ? null : View(last)));
        }

        return [.. details];
    }

    private static async Task<IResult> Run(string name, HttpRequest request, IJobControl control, AuditTrail audit, CancellationToken cancellationToken)
    {
        var body = await JsonBody.Read(request, cancellationToken, optional: true);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        string? storeId = null;
        if (!body.IsEmpty)
        {
            if (!JsonBody.IsObjectOf(body.Json, "storeId"))
            {
                return Problems.Invalid("body", "The body is optional; when sent it is {\"storeId\": \"...\"} (one store) or {}.");
            }

            if (body.Json.TryGetProperty("storeId", out var store) && store.ValueKind != JsonValueKind.Null)
            {
                if (store.ValueKind != JsonValueKind.String || store.GetString()!.Trim().Length is 0 or > 32 || Problems.IsNotPlainText(store.GetString()!))
                {
                    return Problems.Invalid("storeId", "storeId must be a store id: 1 to 32 characters of plain text.");
                }

                storeId = store.GetString()!.Trim();
            }
        }

        var (runId, refused) = await RequestRun(request.HttpContext, name, storeId, control, audit, cancellationToken);
        return runId is { } queued ? TypedResults.Accepted($"/api/jobs/{name}/runs/{queued}", new RunAccepted(queued)) : refused!;
    }

    /// <summary>Queues a run for the caller of <paramref name="context"/>, as the API and the ops console both do: audited, refusals too.</summary>
    public static async Task<(Guid? RunId, ProblemHttpResult? Refused)> RequestRun(
        HttpContext context, string name, string? storeId, IJobControl control, AuditTrail audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(control);
        var caller = Caller.Of(context);
        var audited = Audited.Action(context, AuditActions.JobRun, name, storeId, new JsonObject { ["storeId"] = storeId });
        if (!caller.MayActAt(storeId))
        {
            return (null, await audit.Refused(audited, storeId is null ? Refusals.EveryStore("A run without storeId") : Refusals.Store(), cancellationToken));
        }

        // A queued run's audit row is written with its record in job_runs; a refusal's by itself.
        var result = await control.RequestRun(name, storeId, audited, cancellationToken);
        if (result.Outcome == RunRequestOutcome.Queued)
        {
            return (result.RunId!.Value, null);
        }

        return (null, await audit.Refused(audited, result.Outcome switch
        {
            RunRequestOutcome.UnknownJob => UnknownJob(name, control),
            RunRequestOutcome.UnknownStore => Problems.NotFound("Store", $"There is no store '{storeId}'."),
            RunRequestOutcome.SchedulerDisabled => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "No scheduler here",
                detail: "This instance runs no scheduler (Jobs:Enabled=false); ask an instance that does."),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The job is already running",
                detail: $"Run {result.ActiveRunId} of {name} is queued or running; a job never runs twice at once. Follow it at /api/jobs/{name}/runs/{result.ActiveRunId}.",
                extensions: new Dictionary<string, object?> { ["activeRunId"] = result.ActiveRunId }),
        }, cancellationToken));
    }

    private static async Task<Results<Ok<JobRunView[]>, ProblemHttpResult>> Runs(
        string name, int? limit, HttpContext context, IJobControl control, WorkflowDbContext db, CancellationToken cancellationToken)
    {
        if (!control.JobNames.Contains(name))
        {
            return UnknownJob(name, control);
        }

        if (!Problems.TryLimit(limit, 20, 200, out var take, out var problem))
        {
            return problem!;
        }

        var query = db.JobRuns.AsNoTracking().Where(r => r.JobName == name);
        if (Caller.Of(context).Stores is { } stores)
        {
            var storeIds = stores.ToList();
            query = query.Where(r => r.StoreId != null && storeIds.Contains(r.StoreId));
        }

        var runs = await query
            .OrderByDescending(r => r.RequestedAt).Take(take).ToListAsync(cancellationToken);
        return TypedResults.Ok(runs.Select(View).ToArray());
    }

    private static async Task<Results<Ok<JobRunView>, ProblemHttpResult>> RunById(
        string name, Guid runId, HttpContext context, IJobControl control, WorkflowDbContext db, CancellationToken cancellationToken)
    {
        if (!control.JobNames.Contains(name))
        {
            return UnknownJob(name, control);
        }

        var run = await db.JobRuns.AsNoTracking().SingleOrDefaultAsync(r => r.RunId == runId && r.JobName == name, cancellationToken);
        if (run is null)
        {
            return Problems.NotFound("Run", $"{name} has no run {runId}.");
        }

        var caller = Caller.Of(context);
        return caller.MayActAt(run.StoreId) ? TypedResults.Ok(View(run)) : Refusals.Store();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Pause(
        string name, HttpContext context, IJobControl control, AuditTrail audit, CancellationToken cancellationToken) =>
        await PauseFor(context, name, control, audit, cancellationToken) is { } refused ? refused : TypedResults.NoContent();

    private static async Task<Results<NoContent, ProblemHttpResult>> Resume(
        string name, HttpContext context, IJobControl control, AuditTrail audit, CancellationToken cancellationToken) =>
        await ResumeFor(context, name, control, audit, cancellationToken) is { } refused ? refused : TypedResults.NoContent();

    /// <summary>Pauses the job's schedule for the caller of <paramref name="context"/> (the API and the ops console); null when done.</summary>
    public static Task<ProblemHttpResult?> PauseFor(HttpContext context, string name, IJobControl control, AuditTrail audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(control);
        return PauseOrResume(name, context, AuditActions.JobPause, "Pausing a job", control.Pause, control, audit, cancellationToken);
    }

    /// <summary>Resumes the job's schedule for the caller of <paramref name="context"/> (the API and the ops console); null when done.</summary>
    public static Task<ProblemHttpResult?> ResumeFor(HttpContext context, string name, IJobControl control, AuditTrail audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(control);
        return PauseOrResume(name, context, AuditActions.JobResume, "Resuming a job", control.Resume, control, audit, cancellationToken);
    }

    /// <summary>
    /// Not atomic with its audit row, and cannot be: Quartz keeps a pause in its own job store (on PostgreSQL its qrtz_
    /// tables in the engine's database, written through its own connections and transactions; on SQLite a file of its
    /// own). So the row is written right after Quartz has committed the change, with outcome accepted, or failed when
    /// Quartz threw; both without the request's cancellation, so that a caller who hangs up does not skip it. The gap
    /// left: an instance that dies between Quartz's commit and the row's insert leaves a pause or resume without its row
    /// (GET /api/jobs still shows the job's state). A refusal (unknown job, a store-limited token) changes nothing.
    /// </summary>
    private static async Task<ProblemHttpResult?> PauseOrResume(
        string name, HttpContext context, string action, string what, Func<string, CancellationToken, Task<bool>> change, IJobControl control,
        AuditTrail audit, CancellationToken cancellationToken)
    {
        var audited = Audited.Action(context, action, name);
        if (Caller.Of(context).Stores is not null)
        {
            return await audit.Refused(audited, Refusals.EveryStore(what), cancellationToken);
        }

        bool known;
        try
        {
            known = await change(name, cancellationToken);
        }
        catch (Exception exception)
        {
            await audit.RecordAlone(audited, AuditOutcomes.Failed(exception.GetType().Name), CancellationToken.None);
            throw;
        }

        if (!known)
        {
            return await audit.Refused(audited, UnknownJob(name, control), cancellationToken);
        }

        await audit.RecordAlone(audited, AuditOutcomes.Accepted, CancellationToken.None);
        return null;
    }

    private static ProblemHttpResult UnknownJob(string name, IJobControl control) =>
        Problems.NotFound("Job", $"There is no job '{name}'; the jobs are {string.Join(", ", control.JobNames)}.");

    private static JobRunView View(JobRun run)
    {
        JsonElement? summary = null;
        if (run.Summary is not null)
        {
            using var document = JsonDocument.Parse(run.Summary);
            summary = document.RootElement.Clone();
        }

        var percent = run.ProgressTotal > 0 ? Math.Round(100m * run.ProgressDone / run.ProgressTotal, 1) : (decimal?)null;
        return new JobRunView(run.RunId, run.JobName, run.Trigger.ToString(), run.Status.ToString(), run.StoreId, run.TimeZone, run.ScheduledFor,
            run.RequestedAt, run.StartedAt, run.FinishedAt, new JobProgress(run.ProgressDone, run.ProgressTotal, percent), summary, run.Error, run.Instance);
    }
}
