using Quartz;

namespace Grocery.Workflows.Host.Scheduling;

/// <summary>The engine's jobs: name, type, what it does and its cron expression from the settings.</summary>
public sealed record JobDefinition(string Name, Type Type, string Description, string Cron)
{
    public JobKey Key => new(Name, JobCatalog.Group);

    /// <summary>One cron trigger per time zone of the stores, named after the job and the zone.</summary>
    public TriggerKey TriggerFor(string timeZone) => new($"{Name}@{timeZone}", JobCatalog.Group);
}

public static class JobCatalog
{
    public const string Group = "grocery";

    public static IReadOnlyList<JobDefinition> Jobs(JobsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return
        [
            new(SlotGenerationJob.JobName, typeof(SlotGenerationJob),
                $"Creates each store's delivery slots for the next {settings.SlotDays} days from its slot templates, skipping its closed days.",
                settings.SlotGenerationCron),
            new(StockReconciliationJob.JobName, typeof(StockReconciliationJob),
                "Compares the latest stock counts with the ledger, writes adjustments and reports inventory accuracy per store.",
                settings.StockReconciliationCron),
            new(RetentionJob.JobName, typeof(RetentionJob),
                "Archives as compressed JSON lines, then deletes, the orders finished longer ago than Retention:Orders, and audit rows and failed messages older than Retention:CriticalEvents.",
                settings.RetentionCron),
        ];
    }
}
