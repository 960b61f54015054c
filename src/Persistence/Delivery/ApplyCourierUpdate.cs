using Grocery.Workflows.Consumers.Delivery;
using Grocery.Workflows.Contracts.Delivery;
using Grocery.Workflows.Messaging.Outbox;
using Grocery.Workflows.Persistence.Payments;
using Grocery.Workflows.Sagas.Delivery;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Delivery;

/// <summary>What became of a courier's report.</summary>
public enum CourierUpdateOutcome
{
    /// <summary>The delivery saga was told.</summary>
    Applied,

    /// <summary>Seen before (a provider's retry): nothing was done again.</summary>
    Duplicate,

    /// <summary>Older than the report applied for the booking: a late arrival, ignored.</summary>
    Stale,

    /// <summary>No booking of this engine has that delivery.</summary>
    UnknownBooking,

    /// <summary>Recorded; nothing for the saga (a courier still being found, a cancellation the engine asked for).</summary>
    Recorded,
}

/// <summary>
/// Applies a verified courier report once (by its event id, in the provider events' table) and in order (a report
/// older than the booking's last is ignored): the booking's status is written and the saga's message put in the
/// outbox, in one transaction.
/// </summary>
public sealed class ApplyCourierUpdate(WorkflowDbContext db, UnitOfWork unitOfWork, TimeProvider time)
{
    public async Task<CourierUpdateOutcome> Handle(CourierUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (await ProviderEventLog.Seen(db, update.Provider, update.EventId, cancellationToken))
        {
            return CourierUpdateOutcome.Duplicate;
        }

        var booking = await db.Set<CourierBookingRow>()
            .SingleOrDefaultAsync(b => b.OrderId == update.OrderId && b.Attempt == update.Attempt, cancellationToken);
        if (booking is null)
        {
            // The provider can report before the booking's own transaction has committed: the booking starts here, and
            // the booking step, finding it, books nothing again.
            var attempt = await db.Set<DeliveryState>().AsNoTracking().Where(d => d.CorrelationId == update.OrderId).Select(d => (int?)d.Attempt)
                .SingleOrDefaultAsync(cancellationToken);
            if (attempt is null || update.Attempt > attempt)
            {
                return CourierUpdateOutcome.UnknownBooking;
            }

            booking = new CourierBookingRow
            {
                OrderId = update.OrderId, Attempt = update.Attempt, Provider = update.Provider, DeliveryId = update.DeliveryId,
                Status = CourierStatus.Allocating, StatusAt = DateTimeOffset.UnixEpoch, BookedAt = time.GetUtcNow(),
            };
            db.Set<CourierBookingRow>().Add(booking);
        }
        else if (booking.Provider != update.Provider || booking.DeliveryId != update.DeliveryId)
        {
            return CourierUpdateOutcome.UnknownBooking;
        }

        db.ProviderEvents.Add(new ProviderEvent
        {
            Provider = update.Provider, EventId = update.EventId, EventType = "courier " + update.Status, OrderId = update.OrderId, ReceivedAt = time.GetUtcNow(),
        });
        var outcome = CourierUpdateOutcome.Stale;
        // Newer than the last report, or of the same second and further along.
        if (update.At > booking.StatusAt || (update.At == booking.StatusAt && update.Status >= booking.Status))
        {
            var told = Tell(update, booking);
            booking.Status = update.Status;
            booking.StatusAt = update.At;
            booking.Courier = update.Courier ?? booking.Courier;
            booking.TrackingUrl = update.TrackingUrl ?? booking.TrackingUrl;
            booking.PickedUp |= update.Status is CourierStatus.PickedUp or CourierStatus.Delivered or CourierStatus.Returning or CourierStatus.Returned;
            outcome = told ? CourierUpdateOutcome.Applied : CourierUpdateOutcome.Recorded;
        }

        return await ProviderEventLog.CommitOnce(db, unitOfWork, update.Provider, update.EventId, cancellationToken) ? outcome : CourierUpdateOutcome.Duplicate;
    }

    /// <summary>Puts what the delivery saga hears of a status in the outbox; a courier named in no report is called by the provider's name.</summary>
    private bool Tell(CourierUpdate update, CourierBookingRow booking)
    {
        var courier = update.Courier ?? booking.Courier ?? $"{update.Provider} courier";
        switch (update.Status)
        {
            case CourierStatus.CourierAssigned:
                unitOfWork.Publish(new CourierAccepted(update.OrderId, courier, update.Attempt));
                return true;
            case CourierStatus.PickedUp:
                unitOfWork.Publish(new ParcelPickedUp(update.OrderId, courier));
                return true;
            case CourierStatus.Delivered:
                unitOfWork.Publish(new ParcelDelivered(update.OrderId, courier));
                return true;
            case CourierStatus.Returned:
                unitOfWork.Publish(new DeliveryAttemptFailed(update.OrderId, courier, "Returned to the store: " + (update.Reason ?? "not delivered")));
                return true;
            case CourierStatus.Failed when booking.PickedUp:
                // The parcel is out there: a failure is a failed drop-off.
                unitOfWork.Publish(new DeliveryAttemptFailed(update.OrderId, courier, update.Reason ?? "The provider gave up the delivery"));
                return true;
            case CourierStatus.Failed or CourierStatus.Cancelled when !booking.CancelledByEngine:
                // Before pick-up: no courier is coming. Book another.
                unitOfWork.Publish(new CourierCancelled(update.OrderId, update.Attempt, update.Reason ?? "cancelled by the provider"));
                return true;
            default:
                return false;
        }
    }
}
