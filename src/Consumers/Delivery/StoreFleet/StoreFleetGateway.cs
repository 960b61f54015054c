namespace Grocery.Workflows.Consumers.Delivery.StoreFleet;

/// <summary>
/// The store's own drivers, asked when the provider's attempts ran out (<c>Couriers:Fallback = "store-fleet"</c>). A
/// booking is the job written down for the store: its id is the merchant order id, and the store's dispatcher
/// reports the driver's progress through <c>POST /api/deliveries/{orderId}/fleet-updates</c>. It has no price and
/// refuses nothing it can carry: a job without an address to go to is refused.
/// </summary>
public sealed class StoreFleetGateway : ICourierGateway
{
    public const string Name = "store-fleet";

    public string Provider => Name;

    public Task<CourierQuote> Quote(CourierJob job, CancellationToken cancellationToken) =>
        Task.FromResult(CourierQuote.Refused("The store's fleet does not quote."));

    public Task<CourierBooking> Book(CourierJob job, bool retry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        return Task.FromResult(string.IsNullOrWhiteSpace(job.Destination.Address)
            ? CourierBooking.Refused("The order has no delivery address.")
            : new CourierBooking("fleet-" + job.MerchantOrderId, null, null, null));
    }

    /// <summary>The fleet's state is what its dispatcher reported; the engine's record of it is the one to read.</summary>
    public Task<CourierBookingStatus?> Get(string deliveryId, CancellationToken cancellationToken) => Task.FromResult<CourierBookingStatus?>(null);

    /// <summary>The dispatcher sees the cancellation in the engine's record of the booking.</summary>
    public Task<bool> Cancel(string deliveryId, CancellationToken cancellationToken) => Task.FromResult(true);
}
