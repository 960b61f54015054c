namespace Grocery.Workflows.Consumers.Delivery;

/// <summary>
/// A provider's report of a booking (a webhook, or the store fleet's update): verified, for one order's attempt,
/// applied once per <paramref name="EventId"/>, and ignored when older than the one applied.
/// </summary>
/// <param name="Provider">Who reports.</param>
/// <param name="EventId">The report's id: Grab has none, so its delivery, status and time.</param>
/// <param name="DeliveryId">The booking at the provider.</param>
/// <param name="OrderId">The order, from the merchant order id.</param>
/// <param name="Attempt">The attempt, from the merchant order id.</param>
/// <param name="Status">Where the booking is.</param>
/// <param name="At">When the provider says it got there.</param>
/// <param name="Courier">The courier's name, if the report names one (never their phone).</param>
/// <param name="TrackingUrl">Where the customer follows the courier, if the report has one.</param>
/// <param name="Reason">Why it failed or was cancelled, if it says.</param>
public sealed record CourierUpdate(
    string Provider,
    string EventId,
    string DeliveryId,
    Guid OrderId,
    int Attempt,
    CourierStatus Status,
    DateTimeOffset At,
    string? Courier,
    string? TrackingUrl,
    string? Reason);

/// <summary>A provider's report refused before anything was read from it: not signed as agreed, or not a report.</summary>
public sealed class CourierUpdateRejectedException(string message) : Exception(message);
