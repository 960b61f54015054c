using System.Text.Json.Nodes;
using Grocery.Workflows.Api.Jobs;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;

namespace Grocery.Workflows.Host.Scheduling;

/// <summary>The jobs API on Quartz: schedules read from the triggers, manual runs recorded first and then handed to the scheduler.</summary>
internal sealed class QuartzJobControl(
    ISchedulerFactory schedulers, IServiceScopeFactory scopes, JobRuns runs, AuditTrail audit, IOptions<JobsSettings> options) : IJobControl
{
    private readonly IReadOnlyList<JobDefinition> _jobs = JobCatalog.Jobs(options.Value);

    public IReadOnlyList<string> JobNames => [.. _jobs.Select(j => j.Name)];

    public async Task<IReadOnlyList<JobView>> List(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        Dictionary<string, List<string>> storesByZone;
        await using (var scope = scopes.CreateAsyncScope())
        {
            storesByZone = (await scope.ServiceProvider.GetRequiredService<WorkflowDbContext>().Stores.AsNoTracking()
                    .OrderBy(s => s.StoreId).Select(s => new { s.StoreId, s.TimeZone }).ToListAsync(cancellationToken))
                .GroupBy(s => s.TimeZone).ToDictionary(g => g.Key, g => g.Select(s => s.StoreId).ToList());
        }

        var views = new List<JobView>();
        foreach (var job in _jobs)
        {
            var triggers = new List<JobTriggerView>();
            foreach (var trigger in (await scheduler.GetTriggersOfJob(job.Key, cancellationToken)).OfType<ICronTrigger>().OrderBy(t => t.Key.Name))
            {
                var state = await scheduler.GetTriggerState(trigger.Key, cancellationToken);
                triggers.Add(new JobTriggerView(trigger.TimeZone.Id, trigger.CronExpressionString ?? "", storesByZone.GetValueOrDefault(trigger.TimeZone.Id) ?? [],
                    state.ToString(), trigger.NextFireTimeUtc, trigger.PreviousFireTimeUtc));
            }

            views.Add(new JobView(job.Name, job.Description,
                Paused: triggers.Count > 0 && triggers.TrueForAll(t => t.State == nameof(TriggerState.Paused)),
                NextFireAt: triggers.Min(t => t.NextFireAt),
                LastFireAt: triggers.Max(t => t.PreviousFireAt),
                triggers));
        }

        return views;
    }

    public async Task<RunRequest> RequestRun(string jobName, string? storeId, AuditedAction requestedBy, CancellationToken cancellationToken)
    {
        var job = _jobs.FirstOrDefault(j => j.Name == jobName);
        if (job is null)
        {
            return new RunRequest(RunRequestOutcome.UnknownJob);
        }

        if (!options.Value.Enabled)
        {
            return new RunRequest(RunRequestOutcome.SchedulerDisabled);
        }

        if (storeId is not null)
        {
            await using var scope = scopes.CreateAsyncScope();
            if (!await scope.ServiceProvider.GetRequiredService<WorkflowDbContext>().Stores.AnyAsync(s => s.StoreId == storeId, cancellationToken))
            {
                return new RunRequest(RunRequestOutcome.UnknownStore);
            }
        }

        var run = await runs.Request(job.Name, new JobScope(storeId, null), requestedBy, cancellationToken);
        if (run is null)
        {
            return new RunRequest(RunRequestOutcome.Busy, ActiveRunId: await runs.Active(job.Name, cancellationToken));
        }

        var data = new JobDataMap { [GroceryJob.RunIdKey] = run.RunId.ToString(), [GroceryJob.TriggerKey] = nameof(JobRunTrigger.Manual) };
        if (storeId is not null)
        {
            data[GroceryJob.StoreIdKey] = storeId;
        }

        try
        {
            var scheduler = await schedulers.GetScheduler(cancellationToken);
            await scheduler.TriggerJob(job.Key, data, cancellationToken);
        }
        catch (Exception exception)
        {
            await runs.Fail(run.RunId, $"The scheduler did not take the run: {exception.Message}", CancellationToken.None);
            // The request's row says accepted (it was written with the run's record); this one says what became of it.
            await audit.RecordAlone(requestedBy with { Parameters = new JsonObject { ["runId"] = run.RunId } },
                AuditOutcomes.Failed($"the scheduler did not take run {run.RunId} ({exception.GetType().Name})"), CancellationToken.None);
            throw;
        }

        return new RunRequest(RunRequestOutcome.Queued, run.RunId);
    }

    public async Task<bool> Pause(string jobName, CancellationToken cancellationToken)
    {
        var job = _jobs.FirstOrDefault(j => j.Name == jobName);
        if (job is not null)
        {
            await (await schedulers.GetScheduler(cancellationToken)).PauseJob(job.Key, cancellationToken);
        }

        return job is not null;
    }

    public async Task<bool> Resume(string jobName, CancellationToken cancellationToken)
    {
        var job = _jobs.FirstOrDefault(j => j.Name == jobName);
        if (job is not null)
        {
            await (await schedulers.GetScheduler(cancellationToken)).ResumeJob(job.Key, cancellationToken);
        }

        return job is not null;
    }
}
