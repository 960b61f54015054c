using System.ComponentModel.DataAnnotations;
using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Persistence.Retention;

/// <summary>What the retention job keeps, and where it puts what it removes (section <c>Retention</c>).</summary>
public sealed class RetentionSettings
{
    /// <summary>
    /// An order finished (its saga at rest) longer ago than this is archived, then its rows are deleted: the sagas'
    /// instances, the request, the timeline, stock and slot holds, the payment and stock ledgers, couriers,
    /// notifications and provider events.
    /// </summary>
    [DurationRange("1.00:00:00", "3650.00:00:00")]
    public TimeSpan Orders { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// Audit rows and failed messages older than this are archived, then deleted. The database refuses to delete an
    /// audit row younger than 30 days whatever this says.
    /// </summary>
    [DurationRange("30.00:00:00", "3650.00:00:00")]
    public TimeSpan CriticalEvents { get; set; } = TimeSpan.FromDays(90);

    /// <summary>The directory of the archive (gzip-compressed JSON lines, one file per day and run); relative to the working directory.</summary>
    [Required]
    public string ArchivePath { get; set; } = Path.Combine("data", "archive");

    /// <summary>Orders (or critical events) archived and deleted per transaction.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;
}
