using Grocery.Workflows.Consumers.Payments;

namespace Grocery.Workflows.Persistence.Payments;

/// <summary>One row of the payment ledger (see <see cref="PaymentEntry"/>). Rows are only ever added.</summary>
public sealed class PaymentLedgerRow
{
    public long Id { get; set; }
    public Guid OrderId { get; set; }
    public PaymentEntryKind Kind { get; set; }
    public string Provider { get; set; } = "";
    public string ProviderId { get; set; } = "";
    public string? ParentId { get; set; }
    public long Amount { get; set; }
    public string Currency { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public DateTimeOffset? HoldExpiresAt { get; set; }
    public string? Note { get; set; }
}

/// <summary>A provider notification (webhook) already applied: the same event id is acknowledged and not applied twice.</summary>
public sealed class ProviderEvent
{
    public string Provider { get; set; } = "";
    public string EventId { get; set; } = "";
    public string EventType { get; set; } = "";
    public Guid? OrderId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}
