using Grocery.Workflows.Consumers.Notifications;
using Grocery.Workflows.Persistence.Delivery;
using Grocery.Workflows.Persistence.Telemetry;
using Grocery.Workflows.Sagas.Delivery;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Notifications;

/// <summary>The notifications on EF Core, written in the consuming message's transaction; the facts from the order request, the store and the bookings.</summary>
public sealed class EfNotificationBook(WorkflowDbContext db) : INotificationBook
{
    public async Task<NotificationFacts?> Facts(Guid orderId, CancellationToken cancellationToken)
    {
        var order = await db.OrderRequests.AsNoTracking().SingleOrDefaultAsync(r => r.OrderId == orderId, cancellationToken);
        if (order is null)
        {
            return null;
        }

        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.StoreId == order.StoreId, cancellationToken);
        var language = order.Language is { Length: > 0 } chosen ? chosen : NotificationTexts.DefaultFor(order.Currency);
        return new NotificationFacts(order.CustomerId, store.StoreId, store.Name, order.Currency, store.TimeZone, language, order.Lines);
    }

    public async Task<CourierFacts?> Courier(Guid orderId, CancellationToken cancellationToken)
    {
        var booking = await db.Set<CourierBookingRow>().AsNoTracking().Where(b => b.OrderId == orderId)
            .OrderByDescending(b => b.Attempt).FirstOrDefaultAsync(cancellationToken);
        if (booking is not null)
        {
            return new CourierFacts(booking.Provider, booking.Courier, booking.TrackingUrl);
        }

        // The simulator's couriers book nothing: the saga knows who has the parcel.
        var courier = await db.Set<DeliveryState>().AsNoTracking().Where(d => d.CorrelationId == orderId).Select(d => d.CourierId).SingleOrDefaultAsync(cancellationToken);
        return courier is null ? null : new CourierFacts("simulator", courier, null);
    }

    public async Task<bool> Add(CustomerNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (await db.Set<NotificationRow>().AnyAsync(n => n.EventId == notification.EventId, cancellationToken))
        {
            return false;
        }

        db.Set<NotificationRow>().Add(new NotificationRow
        {
            EventId = notification.EventId, OrderId = notification.OrderId, CustomerId = notification.CustomerId, Kind = notification.Kind,
            Language = notification.Language, Title = notification.Title, Text = notification.Text, Link = notification.Link,
            CloudEvent = notification.CloudEvent, CreatedAt = notification.CreatedAt, Posted = notification.Posted,
        });
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<CustomerNotification?> Find(string eventId, CancellationToken cancellationToken)
    {
        var row = await db.Set<NotificationRow>().AsNoTracking().SingleOrDefaultAsync(n => n.EventId == eventId, cancellationToken);
        return row is null
            ? null
            : new CustomerNotification(row.EventId, row.OrderId, row.CustomerId, row.Kind, row.Language, row.Title, row.Text, row.Link, row.CloudEvent,
                row.CreatedAt, row.Posted);
    }

    public async Task Sent(string eventId, DateTimeOffset at, CancellationToken cancellationToken) =>
        await db.Set<NotificationRow>().Where(n => n.EventId == eventId).ExecuteUpdateAsync(u => u.SetProperty(n => n.SentAt, at), cancellationToken);

    public void Count(string kind, string outcome) => WorkflowMetrics.Notifications.WithLabels(kind, outcome).Inc();
}
