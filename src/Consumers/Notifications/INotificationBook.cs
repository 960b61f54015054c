namespace Grocery.Workflows.Consumers.Notifications;

/// <summary>What a notification needs to know of its order: who, where, in which language and currency.</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="StoreId">The store.</param>
/// <param name="StoreName">The store's name.</param>
/// <param name="Currency">The order's currency.</param>
/// <param name="TimeZone">The store's IANA time zone: times are told in it.</param>
/// <param name="Language">vi or en.</param>
/// <param name="Lines">The ordered lines: a substitution's price difference is against them.</param>
public sealed record NotificationFacts(string CustomerId, string StoreId, string StoreName, string Currency, string TimeZone, string Language,
    IReadOnlyList<Contracts.OrderLine> Lines);

/// <summary>The courier who has the parcel, as the customer is told: a name and where to follow them.</summary>
public sealed record CourierFacts(string Provider, string? Courier, string? TrackingUrl);

/// <summary>A notification as the engine keeps it: what the customer is told, and the CloudEvent that carries it.</summary>
public sealed record CustomerNotification(
    string EventId,
    Guid OrderId,
    string CustomerId,
    string Kind,
    string Language,
    string Title,
    string Text,
    string? Link,
    string CloudEvent,
    DateTimeOffset CreatedAt,
    bool Posted);

/// <summary>The notifications of every order, kept in the consuming message's transaction; one per event id.</summary>
public interface INotificationBook
{
    Task<NotificationFacts?> Facts(Guid orderId, CancellationToken cancellationToken);

    /// <summary>The courier of the order's latest booking, if a provider's booking names one.</summary>
    Task<CourierFacts?> Courier(Guid orderId, CancellationToken cancellationToken);

    /// <summary>Keeps the notification; false if one with its event id is kept already (a redelivered event).</summary>
    Task<bool> Add(CustomerNotification notification, CancellationToken cancellationToken);

    Task<CustomerNotification?> Find(string eventId, CancellationToken cancellationToken);

    /// <summary>The notification service took it.</summary>
    Task Sent(string eventId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Counts a notification by kind and outcome (composed, logged, sent, failed) in the metrics.</summary>
    void Count(string kind, string outcome);
}
