namespace Grocery.Workflows.Consumers.Delivery;

/// <summary>A booking of a courier, as the engine keeps it: one per order and attempt.</summary>
public sealed record CourierBookingRecord(
    Guid OrderId,
    int Attempt,
    string Provider,
    string DeliveryId,
    string? TrackingUrl,
    long? Fee,
    string? Currency,
    DateTimeOffset BookedAt);

/// <summary>The engine's record of courier bookings, and what a booking needs to know of its order; written in the consuming message's transaction.</summary>
public interface ICourierBookings
{
    /// <summary>The job for an order's attempt: the store, the customer's door, the packages, the window; null for an order this engine does not know.</summary>
    Task<CourierJob?> Job(Guid orderId, int attempt, CancellationToken cancellationToken);

    Task<CourierBookingRecord?> Find(Guid orderId, int attempt, CancellationToken cancellationToken);

    Task Booked(CourierBookingRecord booking, CancellationToken cancellationToken);

    /// <summary>Marks the booking as cancelled by the engine, so the provider's report of the cancellation changes nothing.</summary>
    Task CancelledByEngine(Guid orderId, int attempt, CancellationToken cancellationToken);
}
