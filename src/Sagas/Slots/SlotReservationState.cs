using System.ComponentModel.DataAnnotations;
using MassTransit;

namespace Grocery.Workflows.Sagas.Slots;

/// <summary>One hold on a delivery slot for one order. Correlated by the reservation id.</summary>
public sealed class SlotReservationState : IGrocerySagaState
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public int Version { get; set; }

    public Guid OrderId { get; set; }
    [MaxLength(32)]
    public string StoreId { get; set; } = "";
    public Guid SlotId { get; set; }
    public DateTimeOffset? WindowStart { get; set; }
    public DateTimeOffset? WindowEnd { get; set; }
    public DateTimeOffset? CutOffAt { get; set; }
    public DateTimeOffset? HoldExpiresAt { get; set; }
    public int Extensions { get; set; }
    public bool ExtensionPending { get; set; }
    public Guid? HoldExpirationToken { get; set; }
}
