namespace Grocery.Workflows.Consumers.Slots;

/// <summary>Slot capacity as the consumers see it: no slot is ever held or booked beyond its capacity.</summary>
public interface ISlotCapacity
{
    Task<SlotHoldResult> Hold(Guid orderId, Guid reservationId, string storeId, Guid slotId, CancellationToken cancellationToken);

    Task<bool> HasRoomToExtend(Guid reservationId, CancellationToken cancellationToken);

    Task Confirm(Guid reservationId, CancellationToken cancellationToken);

    Task Release(Guid reservationId, CancellationToken cancellationToken);
}
