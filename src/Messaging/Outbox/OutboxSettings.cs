using System.ComponentModel.DataAnnotations;
using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Messaging.Outbox;

/// <summary>Outbox delivery settings (section <c>Outbox</c>).</summary>
public sealed class OutboxSettings
{
    /// <summary>Rows claimed and delivered per transaction.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>How often the table is looked at when nothing signalled: rows of other processes, deadlines.</summary>
    [DurationRange("00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long one send may wait for the broker's confirm. RabbitMQ.Client 7.2 can leave a publish that was in flight
    /// during a broker restart waiting for ever; past this time the row stays, the batch ends, and it is sent again.
    /// </summary>
    [DurationRange("00:00:00.100", "00:10:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Sends of one batch in flight at once.</summary>
    [Range(1, 1024)]
    public int SendConcurrency { get; set; } = 64;

    /// <summary>Off in tests that simulate a crash between commit and delivery.</summary>
    public bool DispatcherEnabled { get; set; } = true;
}
