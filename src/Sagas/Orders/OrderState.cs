using System.ComponentModel.DataAnnotations;
using Grocery.Workflows.Contracts;
using MassTransit;

namespace Grocery.Workflows.Sagas.Orders;

/// <summary>The life of one order. Correlated by the order id. Keeps every handle its compensation needs.</summary>
public sealed class OrderState : IGrocerySagaState
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public int Version { get; set; }

    /// <summary>This saga is correlated by the order id.</summary>
    public Guid OrderId => CorrelationId;

    [MaxLength(64)]
    public string CustomerId { get; set; } = "";
    [MaxLength(32)]
    public string StoreId { get; set; } = "";
    public Guid SlotId { get; set; }
    [MaxLength(3)]
    public string Currency { get; set; } = "";
    public List<OrderLine> Lines { get; set; } = [];
    [MaxLength(32)]
    public string PaymentProvider { get; set; } = "";
    /// <summary>The customer's payment method at the provider: kept for authorizing again, never shown (ops views serialize the state).</summary>
    [MaxLength(256)]
    [System.Text.Json.Serialization.JsonIgnore]
    public string PaymentToken { get; set; } = "";
    public SubstitutionPreference SubstitutionPreference { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
    public long EstimatedTotal { get; set; }

    // Handles for undo, in order of acquisition: slot, stock, payment, picking.
    public Guid SlotReservationId { get; set; }
    public bool SlotHoldEnded { get; set; }
    public DateTimeOffset? WindowStart { get; set; }
    public DateTimeOffset? WindowEnd { get; set; }
    public bool StockReservationRequested { get; set; }
    public string? AuthorizationId { get; set; }
    public long AuthorizedAmount { get; set; }
    public bool PickingRequested { get; set; }
    public Guid? PickingDueToken { get; set; }

    public List<PickedLine> PickedLines { get; set; } = [];
    public long? PickedTotal { get; set; }
    public string? CaptureId { get; set; }
    public long CapturedAmount { get; set; }
    public long RefundedAmount { get; set; }

    /// <summary>Why the order ended other than Completed (rejection reason, cancel reason, delivery failure).</summary>
    public string? EndReason { get; set; }
}
