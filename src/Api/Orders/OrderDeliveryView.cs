using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Delivery;
using Grocery.Workflows.Persistence.Notifications;
using Grocery.Workflows.Persistence.Orders;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Api.Orders;

/// <summary>Where the order goes. The phone is whole for the customer's own storefront only; anyone else sees its last three digits.</summary>
public sealed record DeliveryView(string Address, double Latitude, double Longitude, string Phone, string? Notes, string Language);

/// <summary>A courier booked for one attempt, as its provider last reported it.</summary>
public sealed record CourierBookingView(int Attempt, string Provider, string DeliveryId, string Status, DateTimeOffset BookedAt, string? Courier, string? TrackingUrl,
    long? Fee, string? Currency);

/// <summary>What the customer was told, and whether the notification service took it (<c>posted</c> false: kept and logged here only).</summary>
public sealed record NotificationView(string EventId, string Kind, string Language, string Title, string Text, string? Link, DateTimeOffset CreatedAt, bool Posted,
    DateTimeOffset? SentAt);

/// <summary>The delivery part of an order's view: its address, its couriers and its notifications.</summary>
public sealed record OrderDelivery(DeliveryView? Delivery, IReadOnlyList<CourierBookingView> Couriers, IReadOnlyList<NotificationView> Notifications)
{
    public static async Task<OrderDelivery> Load(Guid orderId, WorkflowDbContext db, bool wholePhone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var request = await db.OrderRequests.AsNoTracking().SingleOrDefaultAsync(r => r.OrderId == orderId, cancellationToken);
        var couriers = await db.Set<CourierBookingRow>().AsNoTracking().Where(b => b.OrderId == orderId).OrderBy(b => b.Attempt)
            .Select(b => new CourierBookingView(b.Attempt, b.Provider, b.DeliveryId, b.Status.ToString(), b.BookedAt, b.Courier, b.TrackingUrl, b.Fee, b.Currency))
            .ToListAsync(cancellationToken);
        var notifications = (await db.Set<NotificationRow>().AsNoTracking().Where(n => n.OrderId == orderId)
            .Select(n => new NotificationView(n.EventId, n.Kind, n.Language, n.Title, n.Text, n.Link, n.CreatedAt, n.Posted, n.SentAt))
            .ToListAsync(cancellationToken)).OrderBy(n => n.CreatedAt).ToList();
        return new OrderDelivery(request is null ? null : View(request, wholePhone), couriers, notifications);
    }

    private static DeliveryView? View(OrderRequest request, bool wholePhone)
    {
        if (request.DeliveryAddress.Length == 0)
        {
            // Placed before orders carried an address.
            return null;
        }

        var destination = request.Destination();
        return new DeliveryView(destination.Address, destination.Latitude, destination.Longitude, wholePhone ? destination.Phone : destination.MaskedPhone,
            destination.Notes, request.Language);
    }
}
