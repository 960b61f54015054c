using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Jobs;
using Microsoft.EntityFrameworkCore;
using Quartz;
using JobRunStatus = Grocery.Workflows.Persistence.Jobs.JobRunStatus;

namespace Grocery.Workflows.Host.Scheduling;

/// <summary>
/// What every job does around its work: record the run (or skip the firing when another run of the job is active),
/// resolve the stores it covers, report progress, write down the outcome, count it. The work itself lives next to
/// the data it changes (<c>Persistence</c>), so it is tested without a scheduler.
/// </summary>
public abstract partial class GroceryJob(JobRuns runs, JobMetrics metrics, WorkflowDbContext db, TimeProvider time, ILogger logger) : IJob
{
    public const string RunIdKey = "runId";
    public const string StoreIdKey = "storeId";
    public const string TimeZoneKey = "timeZone";
    public const string TriggerKey = "trigger";

    protected abstract string Name { get; }

    /// <returns>The run's summary, written to <c>job_runs</c> as JSON.</returns>
    protected abstract Task<object> Work(Guid runId, IReadOnlyCollection<string>? stores, Func<long, long, Task> progress, CancellationToken cancellationToken);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = context.MergedJobDataMap;
        Guid? runId = data.TryGetString(RunIdKey, out var id) && Guid.TryParse(id, out var parsed) ? parsed : null;
        var trigger = data.TryGetString(TriggerKey, out var kind) && Enum.TryParse<JobRunTrigger>(kind, out var t) ? t : JobRunTrigger.Scheduled;
        var scope = new JobScope(data.TryGetString(StoreIdKey, out var store) ? store : null, data.TryGetString(TimeZoneKey, out var zone) ? zone : null);

        var run = await runs.Begin(runId, Name, trigger, scope, trigger == JobRunTrigger.Scheduled ? context.ScheduledFireTimeUtc : null,
            context.Scheduler.SchedulerInstanceId, cancellationToken);
        if (run is null)
        {
            LogSkipped(logger, Name, trigger);
            metrics.Skipped(Name);
            return;
        }

        var started = time.GetTimestamp();
        LogStarted(logger, Name, run.RunId, trigger, scope.StoreId, scope.TimeZone);
        try
        {
            var stores = await StoresOf(scope, cancellationToken);
            var summary = await Work(run.RunId, stores, (done, total) => runs.Progress(run.RunId, done, total, cancellationToken), cancellationToken);
            await runs.Succeed(run.RunId, summary, CancellationToken.None);
            var elapsed = time.GetElapsedTime(started);
            metrics.Finished(Name, nameof(JobRunStatus.Succeeded), elapsed);
            LogSucceeded(logger, Name, run.RunId, (long)elapsed.TotalMilliseconds);
        }
        catch (Exception exception)
        {
            var interrupted = exception is OperationCanceledException && cancellationToken.IsCancellationRequested;
            await runs.Fail(run.RunId, interrupted ? "Interrupted: the engine shut down during the run." : $"{exception.GetType().Name}: {exception.Message}", CancellationToken.None);
            metrics.Finished(Name, nameof(JobRunStatus.Failed), time.GetElapsedTime(started));
            LogFailed(logger, exception, Name, run.RunId);
            if (!interrupted)
            {
                throw new JobExecutionException(exception);
            }
        }
    }

    /// <returns>The stores of the scope; null for every store.</returns>
    private async Task<IReadOnlyCollection<string>?> StoresOf(JobScope scope, CancellationToken cancellationToken)
    {
        if (scope.StoreId is not null)
        {
            return [scope.StoreId];
        }

        if (scope.TimeZone is not null)
        {
            return await db.Stores.AsNoTracking().Where(s => s.TimeZone == scope.TimeZone).Select(s => s.StoreId).ToListAsync(cancellationToken);
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Job}: a {Trigger} firing skipped, another run of the job is queued or running")]
    private static partial void LogSkipped(ILogger logger, string job, JobRunTrigger trigger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Job}: run {RunId} ({Trigger}) started; store {StoreId}, time zone {TimeZone} (none: every store)")]
    private static partial void LogStarted(ILogger logger, string job, Guid runId, JobRunTrigger trigger, string? storeId, string? timeZone);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Job}: run {RunId} succeeded in {ElapsedMilliseconds} ms")]
    private static partial void LogSucceeded(ILogger logger, string job, Guid runId, long elapsedMilliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {Job}: run {RunId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string job, Guid runId);
}
