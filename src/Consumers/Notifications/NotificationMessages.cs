namespace Grocery.Workflows.Consumers.Notifications;

/// <summary>
/// Through the outbox to <see cref="NotificationSender"/>: post the kept notification of this event id to the
/// notification service. Carries no customer data; the notification is read from the book.
/// </summary>
/// <param name="OrderId">The order (for the log and the failure's order).</param>
/// <param name="EventId">The CloudEvent's id.</param>
public sealed record SendCustomerNotification(Guid OrderId, string EventId);
