namespace Grocery.Workflows.Contracts.Delivery;

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
public sealed record DispatchCourier(Guid OrderId, string StoreId, int Attempt);

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
