using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Jobs;
using Grocery.Workflows.Persistence.Retention;
using Microsoft.Extensions.Options;
using Quartz;

namespace Grocery.Workflows.Host.Scheduling;

/// <summary>Archives, then deletes, the orders finished longer ago than <c>Retention:Orders</c>, and old audit rows and failed messages.</summary>
[DisallowConcurrentExecution]
public sealed class RetentionJob(
    OrderRetention retention,
    JobRuns runs,
    JobMetrics metrics,
    WorkflowDbContext db,
    IOptions<JobsSettings> settings,
    TimeProvider time,
    ILogger<RetentionJob> logger) : GroceryJob(runs, metrics, db, settings, time, logger)
{
    public const string JobName = "retention";

    protected override string Name => JobName;

    protected override async Task<object> Work(Guid runId, IReadOnlyCollection<string>? stores, Func<long, long, Task> progress, CancellationToken cancellationToken) =>
        await retention.Run(runId, stores, progress, cancellationToken);
}
