namespace Grocery.Workflows.Contracts.Delivery;

/// <summary>Where an order is delivered, as the customer gave it at checkout. Kept with the order request, never in a message.</summary>
/// <param name="Address">The street address, as a courier reads it.</param>
/// <param name="Latitude">WGS 84 latitude of the door.</param>
/// <param name="Longitude">WGS 84 longitude of the door.</param>
/// <param name="Phone">The recipient's phone in E.164 (+84...), for the courier only: never logged.</param>
/// <param name="Notes">For the courier (gate code, floor), if any.</param>
public sealed record DeliveryDestination(string Address, double Latitude, double Longitude, string Phone, string? Notes)
{
    /// <summary>The phone as shown to whoever does not need to call it: the last three digits.</summary>
    public string MaskedPhone => Phone.Length <= 3 ? "***" : new string('*', Phone.Length - 3) + Phone[^3..];

    /// <summary>Never the phone: a record's printed form must be safe in a log.</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Address} ({Latitude:0.#####}, {Longitude:0.#####}), phone {MaskedPhone}");
}

/// <summary>The order is picked and paid: find a courier; starts the delivery handoff saga.</summary>
/// <param name="OrderId">The order; correlates the delivery saga.</param>
/// <param name="StoreId">The pick-up store.</param>
/// <param name="WindowStart">Start of the delivery window.</param>
/// <param name="WindowEnd">End of the delivery window.</param>
public sealed record ArrangeDelivery(Guid OrderId, string StoreId, DateTimeOffset WindowStart, DateTimeOffset WindowEnd);

/// <summary>Ops cancel a delivery that has not been picked up; the order refunds.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Reason">Why.</param>
public sealed record CancelDelivery(Guid OrderId, string Reason);

/// <summary>To the courier provider: book a courier for the order.</summary>
/// <param name="OrderId">The order (with the attempt, the provider's idempotency key).</param>
/// <param name="StoreId">The pick-up store.</param>
/// <param name="Attempt">1 for the first booking, then one more per re-dispatch.</param>
/// <param name="StoreFleet">True when the store's own fleet is asked (<c>Couriers:Fallback</c>) after the provider's attempts ran out.</param>
public sealed record DispatchCourier(Guid OrderId, string StoreId, int Attempt, bool StoreFleet = false);

/// <summary>To the courier provider: what a delivery of this order would cost and take; asked when picking ends.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="StoreId">The pick-up store.</param>
public sealed record QuoteDelivery(Guid OrderId, string StoreId);

/// <summary>From the courier provider: its quote for the order's delivery, or why it cannot deliver it.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Provider">Who quoted.</param>
/// <param name="Fee">What the delivery costs the grocer, or null when refused.</param>
/// <param name="EstimatedDropOff">When the provider expects the parcel at the door, if it says.</param>
/// <param name="Refusal">Why the provider cannot deliver it (out of its area, no service), or null.</param>
public sealed record DeliveryQuoted(Guid OrderId, string Provider, Money? Fee, DateTimeOffset? EstimatedDropOff, string? Refusal);

/// <summary>From the courier provider: it will not take this booking (out of its area, a refused address); the store's fleet is next.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Attempt">The dispatch attempt refused.</param>
/// <param name="Reason">The provider's reason.</param>
public sealed record CourierDispatchRefused(Guid OrderId, int Attempt, string Reason);

/// <summary>From the courier provider: the booking was cancelled on its side (the courier cancelled, or the provider did).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Attempt">The dispatch attempt cancelled.</param>
/// <param name="Reason">The provider's reason.</param>
public sealed record CourierCancelled(Guid OrderId, int Attempt, string Reason);

/// <summary>Scheduled by the delivery saga: the window's dispatch time has come; book a courier now.</summary>
/// <param name="OrderId">The order.</param>
public sealed record CourierDispatchDue(Guid OrderId);

/// <summary>To the courier provider: the booking of this attempt is no longer wanted.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Attempt">The attempt to cancel.</param>
/// <param name="CourierId">The courier, if one was assigned.</param>
public sealed record CancelCourierDispatch(Guid OrderId, int Attempt, string? CourierId);

/// <summary>From the courier provider: a courier accepted the booking.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="CourierId">The courier.</param>
/// <param name="Attempt">The dispatch attempt this answers.</param>
public sealed record CourierAccepted(Guid OrderId, string CourierId, int Attempt);

/// <summary>From the store or the provider: the courier did not turn up.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="CourierId">The courier.</param>
/// <param name="Attempt">The dispatch attempt.</param>
public sealed record CourierNoShow(Guid OrderId, string CourierId, int Attempt);

/// <summary>From the courier provider: the courier has the parcel.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="CourierId">The courier.</param>
public sealed record ParcelPickedUp(Guid OrderId, string CourierId);

/// <summary>From the courier provider: the customer has the parcel.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="CourierId">The courier.</param>
public sealed record ParcelDelivered(Guid OrderId, string CourierId);

/// <summary>From the courier provider: the parcel could not be delivered and returns to the store.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="CourierId">The courier.</param>
/// <param name="Reason">Why.</param>
public sealed record DeliveryAttemptFailed(Guid OrderId, string CourierId, string Reason);

/// <summary>The parcel left the store with a courier.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="CourierId">The courier.</param>
public sealed record DeliveryHandedOff(Guid OrderId, string CourierId);

/// <summary>The parcel was delivered.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="CourierId">The courier.</param>
public sealed record DeliveryCompleted(Guid OrderId, string CourierId);

/// <summary>Delivery gave up (no courier after the last attempt, failed drop-off, overdue, or cancelled).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Reason">Why.</param>
/// <param name="Attempts">How many couriers were dispatched.</param>
public sealed record DeliveryFailed(Guid OrderId, string Reason, int Attempts);

/// <summary>Scheduled by the delivery saga: no courier accepted the booking in time.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Attempt">The attempt that timed out.</param>
public sealed record CourierAssignmentTimeout(Guid OrderId, int Attempt);

/// <summary>Scheduled by the delivery saga: the assigned courier did not pick up in time.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Attempt">The attempt that timed out.</param>
public sealed record CourierPickupTimeout(Guid OrderId, int Attempt);

/// <summary>Scheduled by the delivery saga: the parcel was not delivered in time after pick-up.</summary>
/// <param name="OrderId">The order.</param>
public sealed record DeliveryOverdue(Guid OrderId);
