using Grocery.Workflows.Persistence.Jobs;
using Grocery.Workflows.Host.Telemetry;
using Grocery.Workflows.Persistence.Telemetry;
using Prometheus;

namespace Grocery.Workflows.Host.Scheduling;

/// <summary>
/// Job runs by job and outcome, and their durations (<c>job_runs_total</c>, <c>job_run_duration_seconds</c>). The
/// inventory accuracy a reconciliation found is read from its run's summary by <see cref="ClusterGauges"/>, so every
/// instance reports it, also after a restart.
/// </summary>
public sealed class JobMetrics
{
    private static readonly string[] Outcomes = [nameof(JobRunStatus.Succeeded), nameof(JobRunStatus.Failed), "Skipped", "Deferred"];
    private readonly Counter _runs = WorkflowMetrics.JobRuns;
    private readonly Histogram _durations = WorkflowMetrics.JobRunDuration;

    /// <summary>Every job and outcome is published at 0 from the start, so that increase() sees the first run too.</summary>
    public JobMetrics()
    {
        foreach (var job in new[] { SlotGenerationJob.JobName, StockReconciliationJob.JobName })
        {
            foreach (var outcome in Outcomes)
            {
                _runs.WithLabels(job, outcome);
            }
        }
    }

    public void Deferred(string job) => _runs.WithLabels(job, "Deferred").Inc();

    public void Skipped(string job) => _runs.WithLabels(job, "Skipped").Inc();

    public void Finished(string job, string outcome, TimeSpan duration)
    {
        _runs.WithLabels(job, outcome).Inc();
        _durations.WithLabels(job, outcome).Observe(duration.TotalSeconds);
    }
}
