using System.Linq.Expressions;
using System.Text.Json;
using Grocery.Workflows.Messaging;
using Grocery.Workflows.Persistence.Audit;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Grocery.Workflows.Persistence.Jobs;

/// <summary>The stores a run covers: one store, the stores of one time zone, or (both null) every store.</summary>
public sealed record JobScope(string? StoreId, string? TimeZone)
{
    public static readonly JobScope AllStores = new(null, null);
}

/// <summary>
/// The record of job runs in <c>job_runs</c>. Every write is a short transaction of its own on a fresh context, apart
/// from the run's work, so progress shows while the work runs and a failed run is still written down.
/// </summary>
public sealed class JobRuns(IServiceScopeFactory scopes, WriteGate gate, TimeProvider time)
{
    private static readonly JsonSerializerOptions SummaryJson = new(JsonSerializerDefaults.Web);

    /// <summary>A run stops counting as active when it has not reported for this long (its instance died with it).</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Records a manual run as Queued; null when a run of the job is already queued or running.</summary>
    public Task<JobRun?> Request(string jobName, JobScope scope, CancellationToken cancellationToken) => Request(jobName, scope, null, cancellationToken);

    /// <summary>
    /// Records a manual run as Queued, and in the same transaction the audit row of whoever asked for it (the run's id among
    /// its parameters); null, and no row, when a run of the job is already queued or running.
    /// </summary>
    public async Task<JobRun?> Request(string jobName, JobScope scope, AuditedAction? requestedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        await AbandonStale(jobName, cancellationToken);
        var now = time.GetUtcNow();
        var run = new JobRun
        {
            RunId = Guid.NewGuid(), JobName = jobName, Trigger = JobRunTrigger.Manual, Status = JobRunStatus.Queued,
            StoreId = scope.StoreId, TimeZone = scope.TimeZone, RequestedAt = now, HeartbeatAt = now,
        };
        AuditEntry? audit = null;
        if (requestedBy is not null)
        {
            var parameters = requestedBy.Parameters?.DeepClone().AsObject() ?? [];
            parameters["runId"] = run.RunId;
            audit = AuditTrail.Entry(requestedBy with { Parameters = parameters }, AuditOutcomes.Accepted, now);
        }

        return await TryInsert(run, audit, cancellationToken) ? run : null;
    }

    /// <summary>
    /// Starts a run: the queued one <paramref name="runId"/> names, or a new one. Null when another run of the job is
    /// active: the firing is skipped, never doubled.
    /// </summary>
    public async Task<JobRun?> Begin(
        Guid? runId, string jobName, JobRunTrigger trigger, JobScope scope, DateTimeOffset? scheduledFor, string instance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var now = time.GetUtcNow();
        if (runId is { } id)
        {
            var started = await Write(db => db.JobRuns
                .Where(r => r.RunId == id && (r.Status == JobRunStatus.Queued || r.Status == JobRunStatus.Running))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.Status, JobRunStatus.Running)
                    .SetProperty(r => r.StartedAt, now)
                    .SetProperty(r => r.HeartbeatAt, now)
                    .SetProperty(r => r.Instance, instance), cancellationToken), cancellationToken);
            return started == 1 ? await Find(id, cancellationToken) : null;
        }

        await AbandonStale(jobName, cancellationToken);
        var run = new JobRun
        {
            RunId = Guid.NewGuid(), JobName = jobName, Trigger = trigger, Status = JobRunStatus.Running,
            StoreId = scope.StoreId, TimeZone = scope.TimeZone, ScheduledFor = scheduledFor,
            RequestedAt = now, StartedAt = now, HeartbeatAt = now, Instance = instance,
        };
        return await TryInsert(run, null, cancellationToken) ? run : null;
    }

    public Task Progress(Guid runId, long done, long total, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return Write(db => db.JobRuns.Where(r => r.RunId == runId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.ProgressDone, done)
            .SetProperty(r => r.ProgressTotal, total)
            .SetProperty(r => r.HeartbeatAt, now), cancellationToken), cancellationToken);
    }

    /// <summary>Says the run is alive without moving its progress.</summary>
    public Task Heartbeat(Guid runId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return Write(db => db.JobRuns.Where(r => r.RunId == runId && r.Status == JobRunStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.HeartbeatAt, now), cancellationToken), cancellationToken);
    }

    /// <summary>Writes off the job's active run when Quartz recovers a firing whose instance stopped in the middle of it.</summary>
    public Task<int> TakeOver(string jobName, string instance, CancellationToken cancellationToken) =>
        FailActive(r => r.JobName == jobName, $"Abandoned: the instance running it stopped; {instance} runs the work again.", cancellationToken);

    public Task Succeed<TSummary>(Guid runId, TSummary summary, CancellationToken cancellationToken) =>
        Finish(runId, JobRunStatus.Succeeded, JsonSerializer.Serialize(summary, SummaryJson), null, cancellationToken);

    public Task Fail(Guid runId, string error, CancellationToken cancellationToken) =>
        Finish(runId, JobRunStatus.Failed, null, error.Length > 2000 ? error[..2000] : error, cancellationToken);

    public async Task<JobRun?> Find(Guid runId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<WorkflowDbContext>().JobRuns.AsNoTracking()
            .SingleOrDefaultAsync(r => r.RunId == runId, cancellationToken);
    }

    /// <summary>The run of the job that is queued or running, if any.</summary>
    public async Task<Guid?> Active(string jobName, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<WorkflowDbContext>().JobRuns.AsNoTracking()
            .Where(r => r.JobName == jobName && (r.Status == JobRunStatus.Queued || r.Status == JobRunStatus.Running))
            .Select(r => (Guid?)r.RunId).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Marks the active runs of <paramref name="jobName"/> that stopped reporting as failed.</summary>
    public Task<int> AbandonStale(string jobName, CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow() - StaleAfter;
        return FailActive(r => r.JobName == jobName && r.HeartbeatAt < before,
            $"Abandoned: no progress reported since before {before:O}; the instance running it stopped.", cancellationToken);
    }

    /// <summary>
    /// A single instance (its scheduler's store in a file of its own) starts with no run of its own: every run still marked active was
    /// cut off when the process stopped.
    /// </summary>
    public Task<int> AbandonAllActive(CancellationToken cancellationToken) =>
        FailActive(_ => true, "Abandoned: the engine stopped before the run finished.", cancellationToken);

    private Task<int> FailActive(Expression<Func<JobRun, bool>> which, string error, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return Write(db => db.JobRuns
            .Where(r => r.Status == JobRunStatus.Queued || r.Status == JobRunStatus.Running)
            .Where(which)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, JobRunStatus.Failed)
                .SetProperty(r => r.FinishedAt, now)
                .SetProperty(r => r.Error, error), cancellationToken), cancellationToken);
    }

    private Task<int> Finish(Guid runId, JobRunStatus status, string? summary, string? error, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return Write(db => db.JobRuns.Where(r => r.RunId == runId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, status)
            .SetProperty(r => r.FinishedAt, now)
            .SetProperty(r => r.HeartbeatAt, now)
            .SetProperty(r => r.Summary, summary)
            .SetProperty(r => r.Error, error), cancellationToken), cancellationToken);
    }

    /// <summary>The run, with its audit row when a caller asked for it: one SaveChanges, so one transaction.</summary>
    private async Task<bool> TryInsert(JobRun run, AuditEntry? audit, CancellationToken cancellationToken)
    {
        try
        {
            await Write(db =>
            {
                db.JobRuns.Add(run);
                if (audit is not null)
                {
                    db.AuditLog.Add(audit);
                }

                return db.SaveChangesAsync(cancellationToken);
            }, cancellationToken);
            return true;
        }
        catch (DbUpdateException exception) when (IsUniqueViolation(exception))
        {
            return false;
        }
    }

    private async Task<int> Write(Func<WorkflowDbContext, Task<int>> write, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        using var writer = await gate.Enter(cancellationToken);
        return await write(scope.ServiceProvider.GetRequiredService<WorkflowDbContext>());
    }

    private static bool IsUniqueViolation(DbUpdateException exception) => exception.InnerException switch
    {
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteErrorCode == 19, // SQLITE_CONSTRAINT
        _ => false,
    };
}
