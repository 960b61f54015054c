using Microsoft.EntityFrameworkCore;
using Prometheus;

namespace Grocery.Workflows.Messaging.Telemetry;

/// <summary>
/// The outbox of the whole cluster, read from the shared database at scrape time: every instance reports the same
/// values (take the max over instances).
/// </summary>
public static class OutboxGauges
{
    public static readonly Gauge OutboxBacklog = Metrics.CreateGauge(
        "outbox_backlog_messages", "Outbox rows due and not yet delivered (whole cluster).");

    public static readonly Gauge OutboxOldestAge = Metrics.CreateGauge(
        "outbox_oldest_message_age_seconds", "How long the oldest due outbox row has been due, a row that failed counted from when it was written; 0 when none is (whole cluster).");

    public static readonly Gauge OutboxScheduled = Metrics.CreateGauge(
        "outbox_scheduled_messages", "Outbox rows due in the future: saga deadlines and delayed steps (whole cluster).");

    public static async Task Refresh(MessagingDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var figures = await Read(db, now, cancellationToken);
        OutboxBacklog.Set(figures.Backlog);
        OutboxOldestAge.Set(figures.OldestDue.TotalSeconds);
        OutboxScheduled.Set(figures.Scheduled);
    }

    /// <summary>The outbox's figures, as the gauges and the ops console show them.</summary>
    public static async Task<OutboxFigures> Read(MessagingDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var backlog = await db.Outbox.AsNoTracking().CountAsync(x => x.DueAt <= now, cancellationToken);
        // A row that failed waits for its back-off with a due time moved ahead; it counts from when it was written, so a
        // row that keeps failing grows old instead of looking fresh after every attempt.
        var oldest = await db.Outbox.AsNoTracking().Where(x => x.DueAt <= now || x.Attempts > 0)
            .MinAsync(x => (DateTimeOffset?)(x.Attempts > 0 ? x.CreatedAt : x.DueAt), cancellationToken);
        var scheduled = await db.Outbox.AsNoTracking().CountAsync(x => x.DueAt > now, cancellationToken);
        return new OutboxFigures(backlog, oldest is null || oldest.Value > now ? TimeSpan.Zero : now - oldest.Value, scheduled);
    }
}

/// <summary>Rows due and not delivered, how long the oldest has waited, and rows due later (deadlines, delayed steps).</summary>
public sealed record OutboxFigures(int Backlog, TimeSpan OldestDue, int Scheduled);
