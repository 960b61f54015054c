namespace Grocery.Workflows.Contracts.Slots;

/// <summary>
/// The slot store took a hold for an order as it was placed (<c>POST /api/orders</c>, in the order's own transaction):
/// starts the slot reservation saga in <c>Held</c>, which owns the hold from then on (expiry, confirmation, release).
/// </summary>
/// <param name="OrderId">The order.</param>
/// <param name="Hold">The hold: reservation id, window, cut-off and expiry.</param>
/// <param name="StoreId">The store of the slot.</param>
/// <param name="SlotId">The delivery slot.</param>
public sealed record SlotHoldTaken(Guid OrderId, HeldSlot Hold, string StoreId, Guid SlotId)
{
    /// <summary>The reservation's id; correlates the slot saga.</summary>
    public Guid ReservationId => Hold.ReservationId;
}

/// <summary>A slot held for an order until <paramref name="ExpiresAt"/> unless confirmed.</summary>
/// <param name="ReservationId">The reservation's id (the slot store's record and the slot saga).</param>
/// <param name="WindowStart">Start of the delivery window.</param>
/// <param name="WindowEnd">End of the delivery window.</param>
/// <param name="CutOffAt">The last moment the hold can be confirmed.</param>
/// <param name="ExpiresAt">When the hold lapses unless confirmed.</param>
public sealed record HeldSlot(Guid ReservationId, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, DateTimeOffset CutOffAt, DateTimeOffset ExpiresAt);

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

/// <summary>From the slot store: the slot has room for the extension.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
public sealed record SlotCapacityHoldExtended(Guid OrderId, Guid ReservationId);

/// <summary>From the slot store: the slot is full; the hold is not extended.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="ReservationId">The reservation.</param>
/// <param name="Reason">Why.</param>
public sealed record SlotCapacityHoldExtensionRefused(Guid OrderId, Guid ReservationId, string Reason);
