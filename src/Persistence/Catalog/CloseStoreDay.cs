using System.Text.Json.Nodes;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Catalog;

public sealed record CloseStoreDayCommand(string StoreId, DateOnly Day, string Reason, AuditedAction Audited);

public sealed record CloseStoreDayResult(Refusal? Refused);

/// <summary>
/// What closing a store day would do: its slots, those with no booking (the next slot generation removes them), and
/// the bookings (held or confirmed) on the others, which stay with their orders; or why it would be refused.
/// </summary>
public sealed record CloseStoreDayPreview(string StoreId, DateOnly Day, string? ClosedAlreadyFor, int Slots, int Unbooked, int Bookings, Refusal? WouldRefuse);

/// <summary>
/// Closes a store on a local date, or gives a closed day a new reason: the next slot generation makes no slot that day.
/// The closure and its audit row are one transaction.
/// </summary>
public sealed class CloseStoreDayHandler(WorkflowDbContext db, UnitOfWork unitOfWork, AuditTrail audit, TimeProvider time)
{
    /// <summary>How far ahead a closure may be planned.</summary>
    public const int MaxDaysAhead = 366;

    /// <summary>What <see cref="Handle"/> would do for this store and day; nothing is changed.</summary>
    public async Task<CloseStoreDayPreview> DryRun(string storeId, DateOnly day, CancellationToken cancellationToken)
    {
        var (store, refused) = await Check(storeId, day, cancellationToken);
        if (store is null || refused is not null)
        {
            return new CloseStoreDayPreview(storeId, day, null, 0, 0, 0, refused);
        }

        var (start, end) = CatalogSeed.LocalDayInUtc(store, day);
        var slots = await db.DeliverySlots.AsNoTracking().Where(s => s.StoreId == storeId && s.WindowStart >= start && s.WindowStart < end)
            .Select(s => s.Held + s.Confirmed).ToListAsync(cancellationToken);
        var reason = await db.StoreClosures.AsNoTracking().Where(c => c.StoreId == storeId && c.Date == day).Select(c => c.Reason).FirstOrDefaultAsync(cancellationToken);
        return new CloseStoreDayPreview(storeId, day, reason, slots.Count, slots.Count(b => b == 0), slots.Sum(), null);
    }

    public async Task<CloseStoreDayResult> Handle(CloseStoreDayCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var (storeId, day) = (command.StoreId, command.Day);
        var (_, refused) = await Check(storeId, day, cancellationToken);
        if (refused is not null)
        {
            return new CloseStoreDayResult(refused);
        }

        var retried = false;
        while (true)
        {
            var added = false;
            try
            {
                await unitOfWork.InTransactionAsync(async token =>
                {
                    var closure = await db.StoreClosures.SingleOrDefaultAsync(c => c.StoreId == storeId && c.Date == day, token);
                    var parameters = new JsonObject { ["reason"] = command.Reason };
                    added = closure is null;
                    if (closure is null)
                    {
                        db.StoreClosures.Add(new StoreClosure { StoreId = storeId, Date = day, Reason = command.Reason });
                    }
                    else
                    {
                        parameters["previousReason"] = closure.Reason;
                        closure.Reason = command.Reason;
                    }

                    audit.Record(db, command.Audited with { Parameters = parameters }, AuditOutcomes.Accepted);
                    return true;
                }, cancellationToken);
                return new CloseStoreDayResult(null);
            }
            catch (DbUpdateException) when (added && !retried)
            {
                // The same day closed by a request a moment ago: this one's reason wins.
                retried = true;
            }
        }
    }

    private async Task<(Store? Store, Refusal? Refused)> Check(string storeId, DateOnly day, CancellationToken cancellationToken)
    {
        var store = await db.Stores.AsNoTracking().SingleOrDefaultAsync(s => s.StoreId == storeId, cancellationToken);
        if (store is null)
        {
            return (null, Refusal.NotFound("Store", $"There is no store '{storeId}'."));
        }

        // A day that has passed cannot be closed, and plans further ahead than a year are mistakes (year 1, year 9999).
        var today = CatalogSeed.LocalToday(store, time.GetUtcNow());
        return day < today || day > today.AddDays(MaxDaysAhead)
            ? (store, Refusal.Invalid("date", $"A store can be closed from its today ({today:yyyy-MM-dd}) up to {MaxDaysAhead} days ahead; {day:yyyy-MM-dd} is outside."))
            : (store, null);
    }
}
