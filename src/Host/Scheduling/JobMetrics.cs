using Grocery.Workflows.Host.Telemetry;
using Grocery.Workflows.Persistence.Telemetry;

namespace Grocery.Workflows.Host.Scheduling;

/// <summary>
/// Job runs by job and outcome, and their durations (<c>job_runs_total</c>, <c>job_run_duration_seconds</c>). The
/// inventory accuracy a reconciliation found is read from its run's summary by <see cref="ClusterGauges"/>, so every
/// instance reports it, also after a restart.
/// </summary>
public sealed class JobMetrics
{
    private static readonly string[] Outcomes = ["Succeeded", "Failed", "Skipped", "Deferred"];

    /// <summary>Every job and outcome is published at 0 from the start, so that increase() sees the first run too.</summary>
    public JobMetrics()
    {
        foreach (var job in new[] { SlotGenerationJob.JobName, StockReconciliationJob.JobName })
        {
            foreach (var outcome in Outcomes)
            {
                WorkflowMetrics.JobRuns.WithLabels(job, outcome);
            }
        }
    }

    public void Deferred(string job) => WorkflowMetrics.JobRuns.WithLabels(job, "Deferred").Inc();

    public void Skipped(string job) => WorkflowMetrics.JobRuns.WithLabels(job, "Skipped").Inc();

    public void Finished(string job, string outcome, TimeSpan duration)
    {
        WorkflowMetrics.JobRuns.WithLabels(job, outcome).Inc();
        WorkflowMetrics.JobRunDuration.WithLabels(job, outcome).Observe(duration.TotalSeconds);
    }
}
