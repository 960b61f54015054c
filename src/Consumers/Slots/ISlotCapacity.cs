namespace Grocery.Workflows.Consumers.Slots;

/// <summary>
/// Slot capacity as checkout and the consumers see it: no slot is ever held or booked beyond its capacity. Every call
/// runs inside the caller's transaction; the hold's record commits with the order that takes it.
/// </summary>
public interface ISlotCapacity
{
    /// <summary>Counts a hold against the slot's capacity, or says why it cannot (full, closed, unknown).</summary>
    Task<SlotHoldResult> Hold(Guid orderId, Guid reservationId, string storeId, Guid slotId, CancellationToken cancellationToken);

    Task<bool> HasRoomToExtend(Guid reservationId, CancellationToken cancellationToken);

    Task Confirm(Guid reservationId, CancellationToken cancellationToken);

    Task Release(Guid reservationId, CancellationToken cancellationToken);

    /// <summary>
    /// A hold whose transaction did not commit (the order was refused after it, or the commit failed): whatever a
    /// store outside the database took for it goes back. The database's part rolled back with the transaction.
    /// </summary>
    Task Abandon(Guid reservationId, Guid slotId);
}
