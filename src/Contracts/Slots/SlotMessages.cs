namespace Grocery.Workflows.Contracts.Slots;

/// <summary>The order asks to hold a delivery slot; starts a slot reservation saga.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation's id, chosen by the order; correlates the slot saga.</param>
/// <param name="StoreId">The store of the slot.</param>
/// <param name="SlotId">The delivery slot.</param>
public sealed record HoldSlot(Guid OrderId, Guid ReservationId, string StoreId, Guid SlotId);

/// <summary>The order asks for more time on a held slot (granted once, if the slot still has room).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
public sealed record ExtendSlotHold(Guid OrderId, Guid ReservationId);

/// <summary>The order is confirmed: turn the hold into a booking (only before the window's cut-off).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
public sealed record ConfirmSlot(Guid OrderId, Guid ReservationId);

/// <summary>Compensation: give the slot back, whatever state the reservation is in.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
public sealed record ReleaseSlot(Guid OrderId, Guid ReservationId);

/// <summary>The slot is held for the order until <paramref name="HoldExpiresAt"/>.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
/// <param name="SlotId">The slot.</param>
/// <param name="WindowStart">Start of the delivery window.</param>
/// <param name="WindowEnd">End of the delivery window.</param>
/// <param name="HoldExpiresAt">When the hold lapses unless confirmed.</param>
public sealed record SlotHeld(
    Guid OrderId,
    Guid ReservationId,
    Guid SlotId,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    DateTimeOffset HoldExpiresAt);

/// <summary>The slot could not be held (full, past its cut-off, or unknown).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
/// <param name="SlotId">The slot.</param>
/// <param name="Reason">Why.</param>
public sealed record SlotUnavailable(Guid OrderId, Guid ReservationId, Guid SlotId, string Reason);

/// <summary>The hold was extended once.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
/// <param name="HoldExpiresAt">The new expiry.</param>
public sealed record SlotHoldExtended(Guid OrderId, Guid ReservationId, DateTimeOffset HoldExpiresAt);

/// <summary>The hold could not be extended (already extended once, or the slot is full).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
/// <param name="Reason">Why.</param>
public sealed record SlotHoldExtensionRefused(Guid OrderId, Guid ReservationId, string Reason);

/// <summary>The slot is booked for the order.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
/// <param name="SlotId">The slot.</param>
/// <param name="WindowStart">Start of the delivery window.</param>
/// <param name="WindowEnd">End of the delivery window.</param>
public sealed record SlotConfirmed(Guid OrderId, Guid ReservationId, Guid SlotId, DateTimeOffset WindowStart, DateTimeOffset WindowEnd);

/// <summary>The confirmation came after the window's cut-off; the hold was released.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
/// <param name="SlotId">The slot.</param>
/// <param name="CutOffAt">The cut-off that passed.</param>
public sealed record SlotCutOffPassed(Guid OrderId, Guid ReservationId, Guid SlotId, DateTimeOffset CutOffAt);

/// <summary>The hold lapsed before the order confirmed it; the capacity was given back.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
/// <param name="SlotId">The slot.</param>
public sealed record SlotHoldExpired(Guid OrderId, Guid ReservationId, Guid SlotId);

/// <summary>The reservation was released (compensation or cancel).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
/// <param name="SlotId">The slot.</param>
public sealed record SlotReleased(Guid OrderId, Guid ReservationId, Guid SlotId);

/// <summary>Scheduled by the slot saga: the hold's time is up.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
public sealed record SlotHoldTimeout(Guid OrderId, Guid ReservationId);

/// <summary>To the slot store: count one hold against the slot's capacity, if there is room.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation (idempotency key for the store).</param>
/// <param name="StoreId">The store.</param>
/// <param name="SlotId">The slot.</param>
public sealed record ReserveSlotCapacity(Guid OrderId, Guid ReservationId, string StoreId, Guid SlotId);

/// <summary>To the slot store: there must still be room for the hold to be extended.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
/// <param name="SlotId">The slot.</param>
public sealed record ExtendSlotCapacityHold(Guid OrderId, Guid ReservationId, Guid SlotId);

/// <summary>To the slot store: move the hold to the confirmed count.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
/// <param name="SlotId">The slot.</param>
public sealed record ConfirmSlotCapacity(Guid OrderId, Guid ReservationId, Guid SlotId);

/// <summary>To the slot store: give the held or confirmed capacity back (idempotent).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
/// <param name="SlotId">The slot.</param>
public sealed record ReleaseSlotCapacity(Guid OrderId, Guid ReservationId, Guid SlotId);

/// <summary>From the slot store: one unit of capacity is held for the reservation.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
/// <param name="SlotId">The slot.</param>
/// <param name="WindowStart">Start of the delivery window.</param>
/// <param name="WindowEnd">End of the delivery window.</param>
/// <param name="CutOffAt">The last moment the booking may be confirmed.</param>
public sealed record SlotCapacityReserved(
    Guid OrderId,
    Guid ReservationId,
    Guid SlotId,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    DateTimeOffset CutOffAt);

/// <summary>From the slot store: no room (or the slot is past its cut-off, or unknown).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
/// <param name="SlotId">The slot.</param>
/// <param name="Reason">Why.</param>
public sealed record SlotCapacityUnavailable(Guid OrderId, Guid ReservationId, Guid SlotId, string Reason);

/// <summary>From the slot store: the slot has room for the extension.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
public sealed record SlotCapacityHoldExtended(Guid OrderId, Guid ReservationId);

/// <summary>From the slot store: the slot is full; the hold is not extended.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
/// <param name="Reason">Why.</param>
public sealed record SlotCapacityHoldExtensionRefused(Guid OrderId, Guid ReservationId, string Reason);
