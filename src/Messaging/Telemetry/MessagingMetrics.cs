using Prometheus;

namespace Grocery.Workflows.Messaging.Telemetry;

/// <summary>
/// What the dispatcher of this process did (sum over instances). Names and labels are the contract of
/// <c>deploy/prometheus</c> and <c>deploy/grafana</c>; docs/observability.md lists them.
/// </summary>
public static class MessagingMetrics
{
    public static readonly Histogram DeadlineLag = Metrics.CreateHistogram(
        "deadline_lag_seconds", "Scheduled messages (saga deadlines): delivery time minus due time.",
        new HistogramConfiguration { Buckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });

    public static readonly Counter OutboxDelivered = Metrics.CreateCounter(
        "outbox_messages_delivered_total", "Outbox rows handed to the transport and deleted.");

    public static readonly Counter OutboxFailed = Metrics.CreateCounter(
        "outbox_delivery_failures_total", "Outbox rows whose delivery failed (the row stays and is tried again later).");
}
