using System.ComponentModel.DataAnnotations;
using MassTransit;

namespace Grocery.Workflows.Sagas.Delivery;

/// <summary>The handoff of one order to a courier. Correlated by the order id.</summary>
public sealed class DeliveryState : IGrocerySagaState
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public int Version { get; set; }

    /// <summary>This saga is correlated by the order id.</summary>
    public Guid OrderId => CorrelationId;

    [MaxLength(32)]
    public string StoreId { get; set; } = "";
    public DateTimeOffset WindowStart { get; set; }
    public DateTimeOffset WindowEnd { get; set; }
    public int Attempt { get; set; }

    /// <summary>The current attempt went to the store's own fleet: the provider's attempts ran out or it refused.</summary>
    public bool StoreFleet { get; set; }

    /// <summary>The provider's quote, asked when picking ended: what the delivery costs, in <see cref="QuoteCurrency"/>'s minor units.</summary>
    public long? QuotedFee { get; set; }

    [MaxLength(3)]
    public string? QuoteCurrency { get; set; }

    /// <summary>Why the provider would not quote (out of its area), if it would not.</summary>
    [MaxLength(256)]
    public string? QuoteRefusal { get; set; }
    public string? CourierId { get; set; }
    public string? FailureReason { get; set; }

    public Guid? DispatchDueToken { get; set; }
    public Guid? CourierAssignmentToken { get; set; }
    public Guid? PickupToken { get; set; }
    public Guid? DeliveryDeadlineToken { get; set; }
}
