using System.ComponentModel.DataAnnotations;
using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Host.Scheduling;

/// <summary>The scheduled jobs (section <c>Jobs</c>). Cron expressions are Quartz's (seconds first), in each store's local time.</summary>
public sealed class JobsSettings
{
    /// <summary>Run the scheduler on this instance. On PostgreSQL every instance may: the clustered job store fires each run once.</summary>
    public bool Enabled { get; set; } = true;

    [Required]
    public string SlotGenerationCron { get; set; } = "0 30 0 * * ?";

    /// <summary>Days of delivery slots kept ahead, today included.</summary>
    [Range(1, 366)]
    public int SlotDays { get; set; } = 14;

    /// <summary>Catch up on slot generation when the engine starts (a stopped engine misses its nightly runs).</summary>
    public bool GenerateSlotsOnStart { get; set; } = true;

    [Required]
    public string StockReconciliationCron { get; set; } = "0 0 2 * * ?";

    /// <summary>The retention job (section <c>Retention</c> says what it keeps): after the night's reconciliation.</summary>
    [Required]
    public string RetentionCron { get; set; } = "0 30 3 * * ?";

    /// <summary>SKUs reconciled per transaction.</summary>
    [Range(100, 100_000)]
    public int ReconciliationBatchSize { get; set; } = 5000;

    /// <summary>A run that reports no progress for this long is taken to have died with its instance.</summary>
    [DurationRange("00:00:10", "1.00:00:00")]
    public TimeSpan StaleRunAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A scheduled firing that finds another run of its job active is tried again this much later, not dropped.</summary>
    [DurationRange("00:00:01", "01:00:00")]
    public TimeSpan DeferredRetryAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a running job says it is alive (besides its progress reports).</summary>
    [DurationRange("00:00:01", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How late a firing may start and still run (once); later ones wait for the next time.</summary>
    [DurationRange("00:00:01", "1.00:00:00")]
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a clustered instance checks in; an instance silent for longer has its runs recovered by another.</summary>
    [DurationRange("00:00:01", "00:10:00")]
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(10);
}
