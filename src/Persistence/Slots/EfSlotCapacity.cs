using Grocery.Workflows.Consumers.Slots;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Slots;

/// <summary>
/// Slot capacity on EF Core: a hold is a conditional update (<c>held + confirmed &lt; capacity</c>) plus a row in
/// <c>slot_holds</c>, the record of every hold; confirm and release move that hold's unit between the counters once.
/// </summary>
public sealed class EfSlotCapacity(WorkflowDbContext db, TimeProvider time) : ISlotCapacity
{
    public async Task<SlotHoldResult> Hold(Guid orderId, Guid reservationId, string storeId, Guid slotId, CancellationToken cancellationToken)
    {
        var slot = await db.DeliverySlots.AsNoTracking().SingleOrDefaultAsync(s => s.SlotId == slotId, cancellationToken);
        if (slot is null || slot.StoreId != storeId)
        {
            return SlotHoldResult.Unavailable($"Slot {slotId} does not exist at store {storeId}");
        }

        var existing = await db.SlotHolds.FindAsync([reservationId], cancellationToken);
        if (existing is not null)
        {
            return existing.Status == SlotHoldStatus.Released
                ? SlotHoldResult.Unavailable("The hold was released")
                : new SlotHoldResult(true, slot.WindowStart, slot.WindowEnd, slot.CutOffAt, null);
        }

        var now = time.GetUtcNow();
        if (now >= slot.CutOffAt)
        {
            return SlotHoldResult.Unavailable($"The slot's cut-off {slot.CutOffAt:u} has passed");
        }

        var updated = await db.DeliverySlots
            .Where(s => s.SlotId == slotId && s.Held + s.Confirmed < s.Capacity)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Held, x => x.Held + 1), cancellationToken);
        if (updated == 0)
        {
            return SlotHoldResult.Unavailable("The slot is full");
        }

        db.SlotHolds.Add(new SlotHold
        {
            ReservationId = reservationId, OrderId = orderId, SlotId = slotId, Status = SlotHoldStatus.Held, CreatedAt = now, ChangedAt = now,
        });
        return new SlotHoldResult(true, slot.WindowStart, slot.WindowEnd, slot.CutOffAt, null);
    }

    public async Task<bool> HasRoomToExtend(Guid reservationId, CancellationToken cancellationToken)
    {
        var hold = await db.SlotHolds.AsNoTracking().SingleOrDefaultAsync(h => h.ReservationId == reservationId, cancellationToken);
        return hold is { Status: SlotHoldStatus.Held }
            && await db.DeliverySlots.AnyAsync(s => s.SlotId == hold.SlotId && s.Held + s.Confirmed < s.Capacity, cancellationToken);
    }

    public async Task Confirm(Guid reservationId, CancellationToken cancellationToken) => await ConfirmHold(reservationId, cancellationToken);

    public async Task Release(Guid reservationId, CancellationToken cancellationToken) => await ReleaseHold(reservationId, cancellationToken);

    /// <summary>Nothing to do: the record's hold rolled back with the transaction that took it.</summary>
    public Task Abandon(Guid reservationId, Guid slotId) => Task.CompletedTask;

    /// <summary>Confirms the hold once; returns its slot, or null when there is no such hold.</summary>
    internal async Task<Guid?> ConfirmHold(Guid reservationId, CancellationToken cancellationToken)
    {
        // The status moves first and conditionally: of two racing messages for one hold, only one moves the counters.
        var slotId = await SlotOf(reservationId, cancellationToken);
        if (slotId is not null && await MoveHold(reservationId, SlotHoldStatus.Held, SlotHoldStatus.Confirmed, cancellationToken))
        {
            await db.DeliverySlots.Where(s => s.SlotId == slotId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Held, x => x.Held - 1).SetProperty(x => x.Confirmed, x => x.Confirmed + 1), cancellationToken);
        }

        return slotId;
    }

    /// <summary>Releases the hold once, held or confirmed; returns its slot, or null when there is no such hold.</summary>
    internal async Task<Guid?> ReleaseHold(Guid reservationId, CancellationToken cancellationToken)
    {
        var slotId = await SlotOf(reservationId, cancellationToken);
        var slots = db.DeliverySlots.Where(s => s.SlotId == slotId);
        if (slotId is null)
        {
            return null;
        }

        if (await MoveHold(reservationId, SlotHoldStatus.Held, SlotHoldStatus.Released, cancellationToken))
        {
            await slots.ExecuteUpdateAsync(s => s.SetProperty(x => x.Held, x => x.Held - 1), cancellationToken);
        }
        else if (await MoveHold(reservationId, SlotHoldStatus.Confirmed, SlotHoldStatus.Released, cancellationToken))
        {
            await slots.ExecuteUpdateAsync(s => s.SetProperty(x => x.Confirmed, x => x.Confirmed - 1), cancellationToken);
        }

        return slotId;
    }

    /// <summary>The slot a reservation holds (or held), or null when it never held one.</summary>
    internal Task<Guid?> SlotOf(Guid reservationId, CancellationToken cancellationToken) =>
        db.SlotHolds.Where(h => h.ReservationId == reservationId).Select(h => (Guid?)h.SlotId).SingleOrDefaultAsync(cancellationToken);

    /// <summary><c>UPDATE slot_holds SET status = @to WHERE reservation_id = @id AND status = @from</c>: true when this call moved it.</summary>
    private async Task<bool> MoveHold(Guid reservationId, SlotHoldStatus from, SlotHoldStatus to, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await db.SlotHolds.Where(h => h.ReservationId == reservationId && h.Status == from)
            .ExecuteUpdateAsync(h => h.SetProperty(x => x.Status, to).SetProperty(x => x.ChangedAt, now), cancellationToken) == 1;
    }
}
