using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;

namespace Grocery.Workflows.Host.Scheduling;

/// <summary>
/// Before the scheduler starts: stores the jobs and one cron trigger per store time zone, so each store's jobs fire at
/// its local time. A trigger that is already there with the same cron expression and zone is left as it is (paused
/// stays paused); one whose expression changed is replaced; one for a zone no store uses any more goes. Then asks for
/// one slot generation, to catch up on the nights the engine was stopped.
/// </summary>
internal sealed partial class JobSchedule(
    ISchedulerFactory schedulers,
    IServiceScopeFactory scopes,
    StartupLock startupLock,
    JobRuns runs,
    IOptions<JobsSettings> options,
    ILogger<JobSchedule> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // One instance at a time: the first scheduler made provisions Quartz's own SQLite schema, and instances
        // storing the same jobs and triggers at once would race on them.
        await using var held = await startupLock.Acquire(cancellationToken);
        var settings = options.Value;
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        if (!(await scheduler.GetMetadata(cancellationToken)).JobStoreClustered)
        {
            var abandoned = await runs.AbandonAllActive(cancellationToken);
            if (abandoned > 0)
            {
                LogAbandoned(abandoned);
            }
        }

        List<string> zones;
        await using (var scope = scopes.CreateAsyncScope())
        {
            zones = await scope.ServiceProvider.GetRequiredService<WorkflowDbContext>().Stores.AsNoTracking()
                .Select(s => s.TimeZone).Distinct().OrderBy(z => z).ToListAsync(cancellationToken);
        }

        foreach (var job in JobCatalog.Jobs(settings))
        {
            await scheduler.AddJob(
                JobBuilder.Create().OfType(job.Type).WithIdentity(job.Key).WithDescription(job.Description)
                    .StoreDurably().RequestRecovery().DisallowConcurrentExecution().Build(),
                new AddJobOptions { Replace = true }, cancellationToken);
            // A job paused by hand stays paused in a time zone that is new since.
            var triggers = await scheduler.GetTriggersOfJob(job.Key, cancellationToken);
            var paused = triggers.Count > 0;
            foreach (var trigger in triggers)
            {
                paused &= await scheduler.GetTriggerState(trigger.Key, cancellationToken) == TriggerState.Paused;
            }

            foreach (var zone in zones)
            {
                await Schedule(scheduler, job, zone, paused, cancellationToken);
            }

            foreach (var stale in (await scheduler.GetTriggersOfJob(job.Key, cancellationToken))
                         .Where(t => t.Key.Group == JobCatalog.Group && !zones.Exists(z => job.TriggerFor(z).Equals(t.Key))))
            {
                await scheduler.UnscheduleJob(stale.Key, cancellationToken);
            }
        }

        if (settings.GenerateSlotsOnStart)
        {
            await scheduler.TriggerJob(new JobKey(SlotGenerationJob.JobName, JobCatalog.Group),
                new JobDataMap { [GroceryJob.TriggerKey] = nameof(JobRunTrigger.Startup) }, cancellationToken);
        }

        LogScheduled(zones.Count, zones);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task Schedule(IScheduler scheduler, JobDefinition job, string zone, bool jobPaused, CancellationToken cancellationToken)
    {
        var key = job.TriggerFor(zone);
        var existing = await scheduler.GetTrigger(key, cancellationToken) as ICronTrigger;
        if (existing is not null && existing.CronExpressionString == job.Cron && existing.TimeZone.Id == zone)
        {
            return;
        }

        // A replaced trigger keeps its own pause; a new one takes the job's.
        var pause = existing is null ? jobPaused : await scheduler.GetTriggerState(key, cancellationToken) == TriggerState.Paused;
        var trigger = TriggerBuilder.Create()
            .WithIdentity(key)
            .ForJob(job.Key)
            .UsingJobData(GroceryJob.TimeZoneKey, zone)
            // A firing missed while every instance was down runs once when one comes back, not once per missed night.
            .WithCronSchedule(job.Cron, cron => cron.InTimeZone(TimeZoneInfo.FindSystemTimeZoneById(zone)).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
            .Build();
        if (existing is null)
        {
            try
            {
                await scheduler.ScheduleJob(trigger, new ScheduleJobOptions(), cancellationToken);
            }
            catch (ObjectAlreadyExistsException)
            {
                // Another instance starting at the same moment stored it first, and paused it if need be.
                return;
            }
        }
        else
        {
            await scheduler.RescheduleJob(key, trigger, cancellationToken);
        }

        if (pause)
        {
            await scheduler.PauseTrigger(key, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Jobs scheduled for {Zones} store time zones: {TimeZones}")]
    private partial void LogScheduled(int zones, IReadOnlyList<string> timeZones);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Runs} job runs were still marked active from before this start; marked failed")]
    private partial void LogAbandoned(int runs);
}
