using System.ComponentModel.DataAnnotations;
using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Messaging.Inbox;

/// <summary>How long consumed message ids are remembered (section <c>Inbox</c>).</summary>
public sealed class InboxSettings
{
    /// <summary>
    /// A duplicate arrives within minutes (an outbox row sent again after a crash, a broker redelivery); a week is
    /// far beyond that, and keeps the table to about a week of traffic.
    /// </summary>
    [DurationRange("01:00:00", "365.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    [DurationRange("00:00:01", "1.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);
}
