using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Jobs;
using Grocery.Workflows.Persistence.Stock;
using Grocery.Workflows.Host.Telemetry;
using Microsoft.Extensions.Options;
using Quartz;

namespace Grocery.Workflows.Host.Scheduling;

/// <summary>Compares the counted stock with the ledger, writes the adjustments and reports accuracy per store.</summary>
[DisallowConcurrentExecution]
public sealed class StockReconciliationJob(
    StockReconciler reconciler,
    JobRuns runs,
    JobMetrics metrics,
    WorkflowDbContext db,
    IOptions<JobsSettings> settings,
    TimeProvider time,
    ILogger<StockReconciliationJob> logger) : GroceryJob(runs, metrics, db, settings, time, logger)
{
    public const string JobName = InventoryAccuracy.ReconciliationJob;

    protected override string Name => JobName;

    protected override async Task<object> Work(Guid runId, IReadOnlyCollection<string>? stores, Func<long, long, Task> progress, CancellationToken cancellationToken) =>
        await reconciler.Reconcile(runId, stores, progress, cancellationToken);
}
