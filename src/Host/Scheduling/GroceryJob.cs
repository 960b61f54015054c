using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;
using JobRunStatus = Grocery.Workflows.Persistence.Jobs.JobRunStatus;

namespace Grocery.Workflows.Host.Scheduling;

/// <summary>
/// What every job does around its work: record the run (a scheduled firing that finds another run of the job active
/// is tried again a little later), resolve the stores it covers, say it is alive while it works, write down the
/// outcome, count it. The work itself lives next to the data it changes (<c>Persistence</c>), so it is tested without
/// a scheduler.
/// </summary>
public abstract partial class GroceryJob(JobRuns runs, JobMetrics metrics, WorkflowDbContext db, IOptions<JobsSettings> settings, TimeProvider time, ILogger logger)
    : IJob
{
    public const string RunIdKey = "runId";
    public const string StoreIdKey = "storeId";
    public const string TimeZoneKey = "timeZone";
    public const string TriggerKey = "trigger";

    protected abstract string Name { get; }

    protected JobsSettings Settings => settings.Value;

    /// <returns>The run's summary, written to <c>job_runs</c> as JSON.</returns>
    protected abstract Task<object> Work(Guid runId, IReadOnlyCollection<string>? stores, Func<long, long, Task> progress, CancellationToken cancellationToken);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = context.MergedJobDataMap;
        Guid? runId = data.TryGetString(RunIdKey, out var id) && Guid.TryParse(id, out var parsed) ? parsed : null;
        var trigger = data.TryGetString(TriggerKey, out var kind) && Enum.TryParse<JobRunTrigger>(kind, out var t) ? t : JobRunTrigger.Scheduled;
        var scope = new JobScope(data.TryGetString(StoreIdKey, out var store) ? store : null, data.TryGetString(TimeZoneKey, out var zone) ? zone : null);
        var instance = context.Scheduler.SchedulerInstanceId;

        if (context.Recovering)
        {
            // The instance that ran this firing stopped in the middle: its run is written off and the work starts again.
            var taken = await runs.TakeOver(Name, instance, cancellationToken);
            LogRecovering(logger, Name, taken);
            runId = null;
        }

        var run = await runs.Begin(runId, Name, trigger, scope, trigger == JobRunTrigger.Scheduled ? context.ScheduledFireTimeUtc : null, instance, cancellationToken);
        if (run is null)
        {
            await Defer(context, trigger, cancellationToken);
            return;
        }

        var started = time.GetTimestamp();
        LogStarted(logger, Name, run.RunId, trigger, scope.StoreId, scope.TimeZone);
        using var working = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeat = Heartbeat(run.RunId, working.Token);
        try
        {
            var stores = await StoresOf(scope, cancellationToken);
            var summary = await Work(run.RunId, stores, (done, total) => runs.Progress(run.RunId, done, total, cancellationToken), cancellationToken);
            await StopHeartbeat(working, heartbeat);
            await runs.Succeed(run.RunId, summary, CancellationToken.None);
            var elapsed = time.GetElapsedTime(started);
            metrics.Finished(Name, nameof(JobRunStatus.Succeeded), elapsed);
            LogSucceeded(logger, Name, run.RunId, (long)elapsed.TotalMilliseconds);
        }
        catch (Exception exception)
        {
            await StopHeartbeat(working, heartbeat);
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

    /// <summary>
    /// A manual run asked for while another is active was already refused by the API; a scheduled or start-up firing
    /// that meets one (a manual run not yet started, a run whose instance died) is tried again later, not dropped.
    /// </summary>
    private async Task Defer(IJobExecutionContext context, JobRunTrigger trigger, CancellationToken cancellationToken)
    {
        if (trigger == JobRunTrigger.Manual)
        {
            LogSkipped(logger, Name, trigger);
            metrics.Skipped(Name);
            return;
        }

        var retryAt = time.GetUtcNow() + Settings.DeferredRetryAfter;
        var data = new JobDataMap();
        foreach (var key in new[] { StoreIdKey, TimeZoneKey, TriggerKey })
        {
            if (context.MergedJobDataMap.TryGetString(key, out var value))
            {
                data[key] = value;
            }
        }

        await context.Scheduler.ScheduleJob(
            TriggerBuilder.Create().ForJob(context.JobDetail.Key).UsingJobData(data).StartAt(retryAt).Build(), new ScheduleJobOptions(), cancellationToken);
        LogDeferred(logger, Name, trigger, retryAt);
        metrics.Deferred(Name);
    }

    private async Task Heartbeat(Guid runId, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Settings.HeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await runs.Heartbeat(runId, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The work ended.
        }
    }

    private static async Task StopHeartbeat(CancellationTokenSource working, Task heartbeat)
    {
        await working.CancelAsync();
        await heartbeat;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Job}: a {Trigger} firing found another run of the job active; tried again at {RetryAt}")]
    private static partial void LogDeferred(ILogger logger, string job, JobRunTrigger trigger, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Job}: recovering a firing whose instance stopped; {Runs} run(s) written off")]
    private static partial void LogRecovering(ILogger logger, string job, int runs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Job}: run {RunId} ({Trigger}) started; store {StoreId}, time zone {TimeZone} (none: every store)")]
    private static partial void LogStarted(ILogger logger, string job, Guid runId, JobRunTrigger trigger, string? storeId, string? timeZone);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Job}: run {RunId} succeeded in {ElapsedMilliseconds} ms")]
    private static partial void LogSucceeded(ILogger logger, string job, Guid runId, long elapsedMilliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {Job}: run {RunId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string job, Guid runId);
}
