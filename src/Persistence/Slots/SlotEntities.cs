namespace Grocery.Workflows.Persistence.Slots;

/// <summary>A delivery window with its capacity; held and confirmed change only by conditional updates.</summary>
public sealed class DeliverySlot
{
    public Guid SlotId { get; set; }
    public string StoreId { get; set; } = "";
    public DateTimeOffset WindowStart { get; set; }
    public DateTimeOffset WindowEnd { get; set; }
    public DateTimeOffset CutOffAt { get; set; }
    public int Capacity { get; set; }
    public int Held { get; set; }
    public int Confirmed { get; set; }
}

public enum SlotHoldStatus
{
    Held,
    Confirmed,
    Released,
}

/// <summary>The record of every hold: which reservation took which slot, and where it stands.</summary>
public sealed class SlotHold
{
    public Guid ReservationId { get; set; }
    public Guid OrderId { get; set; }
    public Guid SlotId { get; set; }
    public SlotHoldStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
}
