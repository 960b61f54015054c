using Grocery.Workflows.Consumers.Delivery;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Sagas.Delivery;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Delivery;

/// <summary>The courier bookings on EF Core, and the job of a booking read from the order request, the store and the delivery saga.</summary>
public sealed class EfCourierBookings(WorkflowDbContext db) : ICourierBookings
{
    /// <summary>A piece is taken to weigh half a kilogram; weighed lines weigh what was ordered.</summary>
    private const int GramsPerPiece = 500;

    public async Task<CourierJob?> Job(Guid orderId, int attempt, CancellationToken cancellationToken)
    {
        var order = await db.OrderRequests.AsNoTracking().SingleOrDefaultAsync(r => r.OrderId == orderId, cancellationToken);
        var delivery = await db.Set<DeliveryState>().AsNoTracking().SingleOrDefaultAsync(d => d.CorrelationId == orderId, cancellationToken);
        if (order is null || delivery is null)
        {
            return null;
        }

        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.StoreId == order.StoreId, cancellationToken);
        var destination = order.Destination();
        return new CourierJob(orderId, attempt, store.StoreId,
            new CourierPlace(store.Name, store.Address, store.Latitude, store.Longitude, store.Phone, $"Order {orderId:N}"),
            new CourierPlace(order.CustomerId, destination.Address, destination.Latitude, destination.Longitude, destination.Phone, destination.Notes),
            [.. order.Lines.Select(l => new CourierPackage(l.Name, l.Unit == SaleUnit.Each ? (int)l.Quantity : 1,
                (long)Math.Round(l.UnitPrice * l.Quantity, MidpointRounding.AwayFromZero),
                l.Unit == SaleUnit.Each ? (int)l.Quantity * GramsPerPiece : (int)Math.Ceiling(l.Quantity * 1000)))],
            order.Currency, delivery.WindowStart, delivery.WindowEnd);
    }

    public async Task<CourierBookingRecord?> Find(Guid orderId, int attempt, CancellationToken cancellationToken)
    {
        var row = await db.Set<CourierBookingRow>().AsNoTracking().SingleOrDefaultAsync(b => b.OrderId == orderId && b.Attempt == attempt, cancellationToken);
        return row is null ? null : new CourierBookingRecord(row.OrderId, row.Attempt, row.Provider, row.DeliveryId, row.TrackingUrl, row.Fee, row.Currency, row.BookedAt);
    }

    public async Task Booked(CourierBookingRecord booking, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(booking);
        var reported = await db.Set<CourierBookingRow>().SingleOrDefaultAsync(b => b.OrderId == booking.OrderId && b.Attempt == booking.Attempt, cancellationToken);
        if (reported is not null)
        {
            // The provider's first report came in before this booking committed: it holds the status, this the price.
            reported.Fee ??= booking.Fee;
            reported.Currency ??= booking.Currency;
            reported.TrackingUrl ??= booking.TrackingUrl;
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        db.Set<CourierBookingRow>().Add(new CourierBookingRow
        {
            OrderId = booking.OrderId, Attempt = booking.Attempt, Provider = booking.Provider, DeliveryId = booking.DeliveryId,
            Status = CourierStatus.Allocating, StatusAt = DateTimeOffset.UnixEpoch, TrackingUrl = booking.TrackingUrl, Fee = booking.Fee,
            Currency = booking.Currency, BookedAt = booking.BookedAt,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task CancelledByEngine(Guid orderId, int attempt, CancellationToken cancellationToken) =>
        await db.Set<CourierBookingRow>().Where(b => b.OrderId == orderId && b.Attempt == attempt)
            .ExecuteUpdateAsync(u => u.SetProperty(b => b.CancelledByEngine, true), cancellationToken);
}
