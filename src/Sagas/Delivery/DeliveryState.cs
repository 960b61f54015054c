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
    public string? CourierId { get; set; }
    public string? FailureReason { get; set; }

    public Guid? CourierAssignmentToken { get; set; }
    public Guid? PickupToken { get; set; }
    public Guid? DeliveryDeadlineToken { get; set; }
}
