using Grocery.Workflows.Messaging;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Jobs;
using Grocery.Workflows.Persistence.Slots;
using Microsoft.Extensions.Options;
using Quartz;

namespace Grocery.Workflows.Host.Scheduling;

/// <summary>Keeps each store's delivery slots made for the days ahead, from its templates and closures.</summary>
[DisallowConcurrentExecution]
public sealed class SlotGenerationJob(
    DeliverySlotGenerator generator,
    WriteGate gate,
    IOptions<JobsSettings> settings,
    JobRuns runs,
    JobMetrics metrics,
    WorkflowDbContext db,
    TimeProvider time,
    ILogger<SlotGenerationJob> logger) : GroceryJob(runs, metrics, db, settings, time, logger)
{
    public const string JobName = "slot-generation";

    protected override string Name => JobName;

    protected override async Task<object> Work(Guid runId, IReadOnlyCollection<string>? stores, Func<long, long, Task> progress, CancellationToken cancellationToken)
    {
        SlotGenerationResult result;
        using (await gate.Enter(cancellationToken))
        {
            result = await generator.GenerateAsync(Settings.SlotDays, stores, cancellationToken);
        }

        await progress(result.Stores, result.Stores);
        return result;
    }
}
