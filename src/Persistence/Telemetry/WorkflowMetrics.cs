using Prometheus;

namespace Grocery.Workflows.Persistence.Telemetry;

/// <summary>
/// The engine's business metrics: orders, saga transitions, slots, substitutions, jobs and payments. Counters count
/// committed facts in this process (sum them over instances); the dispatcher's are in <c>MessagingMetrics</c>, the
/// gauges read from the shared database at scrape time in the host's <c>ClusterGauges</c>. Names and labels are the
/// contract of <c>deploy/prometheus</c> and <c>deploy/grafana</c>; docs/observability.md lists them.
/// </summary>
public static class WorkflowMetrics
{
    public static readonly Counter OrdersCompleted = Metrics.CreateCounter(
        "orders_completed_total", "Orders delivered and completed.");

    public static readonly Counter OrdersRejected = Metrics.CreateCounter(
        "orders_rejected_total", "Orders the engine rejected, by reason (OrderRejectionReason).", "reason");

    public static readonly Counter OrdersCancelled = Metrics.CreateCounter(
        "orders_cancelled_total", "Orders that ended without delivery after they were accepted: cancelled by the customer, or refunded after a failed delivery.",
        "reason", "stage");

    public static readonly Counter SagaTransitions = Metrics.CreateCounter(
        "saga_transitions_total", "Committed saga state transitions.", "saga", "from", "to");

    public static readonly Counter SlotBookingAttempts = Metrics.CreateCounter(
        "slot_booking_attempts_total", "Slot holds asked for at checkout that the slot store answered (held or full), by store.", "store");

    public static readonly Counter SlotBookingSuccesses = Metrics.CreateCounter(
        "slot_booking_successes_total", "Slot holds the slot store granted at checkout, by store.", "store");

    public static readonly Counter SubstitutionProposals = Metrics.CreateCounter(
        "substitution_proposals_total", "Replacements proposed for short lines, counted when their round is decided.");

    public static readonly Counter SubstitutionAcceptances = Metrics.CreateCounter(
        "substitution_acceptances_total", "Replacements accepted, by who decided (customer, default at the deadline, automatic).", "decided_by");

    public static readonly Counter JobRuns = Metrics.CreateCounter(
        "job_runs_total", "Job runs by job and outcome (Succeeded, Failed; Skipped, Deferred: another run was active).", "job_name", "outcome");

    public static readonly Histogram JobRunDuration = Metrics.CreateHistogram(
        "job_run_duration_seconds", "How long job runs took, by job and outcome.",
        new HistogramConfiguration { LabelNames = ["job_name", "outcome"], Buckets = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600] });

    public static readonly Counter PaymentOperations = Metrics.CreateCounter(
        "payment_operations_total", "Calls to payment providers by provider, operation (authorize, capture, void, refund) and outcome (ok, refused, pending, error).",
        "provider", "operation", "outcome");

    public static readonly Counter CourierCalls = Metrics.CreateCounter(
        "courier_calls_total", "Calls to courier providers by provider, operation (quote, book, get, cancel) and outcome (ok, refused, error).",
        "provider", "operation", "outcome");

    public static readonly Counter Notifications = Metrics.CreateCounter(
        "notifications_total", "Customer notifications by kind and outcome (composed, logged, sent, failed).",
        "kind", "outcome");
}
