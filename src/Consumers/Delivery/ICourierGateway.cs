using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Consumers.Delivery;

/// <summary>
/// A courier company as the delivery saga needs it: a quote, a booking, its status, a cancellation. A technical
/// failure (timeout, 5xx, 429) throws and the step is retried; a refusal (out of the provider's area, a refused
/// address) is a result. Provider types stay inside the adapter.
/// </summary>
public interface ICourierGateway
{
    /// <summary>The provider's name in <c>Couriers:Provider</c> or <c>Couriers:Fallback</c>, and in the metrics.</summary>
    string Provider { get; }

    Task<CourierQuote> Quote(CourierJob job, CancellationToken cancellationToken);

    /// <summary>
    /// Books a courier for <paramref name="job"/>. <paramref name="retry"/> is true when an earlier try of this very
    /// booking may have reached the provider: the adapter then makes sure that try leaves no second courier.
    /// </summary>
    Task<CourierBooking> Book(CourierJob job, bool retry, CancellationToken cancellationToken);

    /// <summary>The booking as the provider sees it now, or null if it does not know it.</summary>
    Task<CourierBookingStatus?> Get(string deliveryId, CancellationToken cancellationToken);

    /// <summary>Cancels a booking; false when the provider will not (the parcel is picked up, or the booking is over).</summary>
    Task<bool> Cancel(string deliveryId, CancellationToken cancellationToken);
}

/// <summary>A place a courier goes to: the store, or the customer's door.</summary>
/// <param name="Name">Whom the courier asks for: the store's name, or the customer.</param>
/// <param name="Address">The street address.</param>
/// <param name="Latitude">WGS 84 latitude.</param>
/// <param name="Longitude">WGS 84 longitude.</param>
/// <param name="Phone">E.164 phone; never logged.</param>
/// <param name="Notes">For the courier, if any.</param>
public sealed record CourierPlace(string Name, string Address, double Latitude, double Longitude, string Phone, string? Notes)
{
    /// <summary>Never the phone.</summary>
    public override string ToString() => $"{Name}, {Address}";
}

/// <summary>One package of the parcel: what the courier carries.</summary>
/// <param name="Name">What it is.</param>
/// <param name="Quantity">How many.</param>
/// <param name="Value">Its value in the order currency's minor units.</param>
/// <param name="WeightGrams">Its weight, estimated.</param>
public sealed record CourierPackage(string Name, int Quantity, long Value, int WeightGrams);

/// <summary>
/// What a courier is booked for: the order's attempt (its merchant order id, the provider's key for it), from the store
/// to the door, the packages, and when the parcel can be picked up.
/// </summary>
public sealed record CourierJob(
    Guid OrderId,
    int Attempt,
    string StoreId,
    CourierPlace Origin,
    CourierPlace Destination,
    IReadOnlyList<CourierPackage> Packages,
    string Currency,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd)
{
    /// <summary>The order plus the attempt: the same booking always has the same id at the provider.</summary>
    public string MerchantOrderId => MerchantOrderIdOf(OrderId, Attempt);

    public static string MerchantOrderIdOf(Guid orderId, int attempt) => $"{orderId:N}-{attempt}";

    /// <summary>The order and attempt of a merchant order id this engine gave, or null.</summary>
    public static (Guid OrderId, int Attempt)? Parse(string? merchantOrderId)
    {
        var dash = merchantOrderId?.LastIndexOf('-') ?? -1;
        return dash == 32 && Guid.TryParseExact(merchantOrderId![..dash], "N", out var order)
            && int.TryParse(merchantOrderId.AsSpan(dash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var attempt)
            && attempt is > 0 and < 100
            ? (order, attempt)
            : null;
    }
}

/// <summary>A provider's quote, or its refusal.</summary>
public sealed record CourierQuote(Money? Fee, DateTimeOffset? EstimatedPickUp, DateTimeOffset? EstimatedDropOff, string? Refusal)
{
    public static CourierQuote Refused(string reason) => new(null, null, null, reason);
}

/// <summary>A booking made (its id at the provider and where the customer follows it), or its refusal.</summary>
public sealed record CourierBooking(string? DeliveryId, string? TrackingUrl, Money? Fee, string? Refusal)
{
    public bool Succeeded => Refusal is null;

    public static CourierBooking Refused(string reason) => new(null, null, null, reason);
}

/// <summary>A booking's status at the provider.</summary>
public sealed record CourierBookingStatus(string DeliveryId, CourierStatus Status, string? Courier, string? TrackingUrl);

/// <summary>Where a booking is, in the engine's words; each provider's statuses map to these.</summary>
public enum CourierStatus
{
    /// <summary>Booked; no courier yet (Grab: QUEUEING, ALLOCATING).</summary>
    Allocating,

    /// <summary>A courier took it and is on the way to the store (Grab: PENDING_PICKUP, PICKING_UP).</summary>
    CourierAssigned,

    /// <summary>The courier has the parcel (Grab: PENDING_DROP_OFF, IN_DELIVERY).</summary>
    PickedUp,

    /// <summary>Delivered (Grab: COMPLETED).</summary>
    Delivered,

    /// <summary>Could not be delivered; the parcel is on its way back (Grab: IN_RETURN).</summary>
    Returning,

    /// <summary>Back at the store (Grab: RETURNED).</summary>
    Returned,

    /// <summary>Cancelled, by the engine or by the provider (Grab: CANCELED).</summary>
    Cancelled,

    /// <summary>The provider gave up: no courier found, or the courier or its operators cancelled (Grab: FAILED).</summary>
    Failed,
}
