using Grocery.Workflows.Persistence.Catalog;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Slots;

/// <summary>What one generation did.</summary>
/// <param name="Stores">Stores covered.</param>
/// <param name="Days">Days ahead covered, today included.</param>
/// <param name="Created">Slots inserted.</param>
/// <param name="Removed">Unbooked slots taken off days a store closed.</param>
/// <param name="ClosedDays">Closed store-days in the horizon (no slot made on them).</param>
/// <param name="LastDay">The latest local day covered, across the stores.</param>
public sealed record SlotGenerationResult(int Stores, int Days, int Created, int Removed, int ClosedDays, DateOnly? LastDay);

/// <summary>
/// Turns the stores' slot templates into delivery slots for the days ahead, idempotently: a slot whose id (derived
/// from store and local start) or whose store and start is already there is left alone, holds and confirmations
/// included. A day in a store's closures gets no slot, and the slots already made for it go, unless one of them has
/// ever been held: a slot with a booking is never touched. Runs in the caller's transaction, or in its own.
/// </summary>
public sealed class DeliverySlotGenerator(WorkflowDbContext db, TimeProvider time)
{
    /// <summary>Slots for today and the next <paramref name="days"/>-1 days at every store, "today" being each store's local date.</summary>
    public Task<SlotGenerationResult> GenerateAsync(int days, CancellationToken cancellationToken) =>
        GenerateAsync(days, null, cancellationToken);

    /// <summary>As <see cref="GenerateAsync(int, CancellationToken)"/>, for the given stores only (null: every store).</summary>
    public Task<SlotGenerationResult> GenerateAsync(int days, IReadOnlyCollection<string>? storeIds, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return Generate(store => CatalogSeed.LocalToday(store, now), days, storeIds, cancellationToken);
    }

    /// <summary>Slots for the local days <paramref name="firstLocalDay"/> .. +<paramref name="days"/>-1 at every store.</summary>
    public Task<SlotGenerationResult> GenerateAsync(DateOnly firstLocalDay, int days, CancellationToken cancellationToken) =>
        Generate(_ => firstLocalDay, days, null, cancellationToken);

    private async Task<SlotGenerationResult> Generate(
        Func<Store, DateOnly> firstLocalDay, int days, IReadOnlyCollection<string>? storeIds, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        var stores = await db.Stores.AsNoTracking()
            .Where(s => storeIds == null || storeIds.Contains(s.StoreId))
            .OrderBy(s => s.StoreId).ToListAsync(cancellationToken);
        if (stores.Count == 0 || days == 0)
        {
            return new SlotGenerationResult(stores.Count, days, 0, 0, 0, null);
        }

        var ids = stores.Select(s => s.StoreId).ToList();
        var templates = await db.SlotTemplates.AsNoTracking().Where(t => ids.Contains(t.StoreId)).ToListAsync(cancellationToken);
        var from = stores.Min(firstLocalDay);
        var closures = (await db.StoreClosures.AsNoTracking()
                .Where(c => ids.Contains(c.StoreId) && c.Date >= from)
                .Select(c => new { c.StoreId, c.Date })
                .ToListAsync(cancellationToken))
            .Select(c => (c.StoreId, c.Date)).ToHashSet();

        var slots = new List<DeliverySlot>();
        var closed = new List<(Store Store, DateOnly Day)>();
        foreach (var store in stores)
        {
            var first = firstLocalDay(store);
            for (var day = first; day < first.AddDays(days); day = day.AddDays(1))
            {
                if (closures.Contains((store.StoreId, day)))
                {
                    closed.Add((store, day));
                }
                else
                {
                    slots.AddRange(CatalogSeed.DeliverySlots(store, templates, day, 1));
                }
            }
        }

        var lastDay = stores.Max(s => firstLocalDay(s).AddDays(days - 1));
        if (db.Database.CurrentTransaction is not null)
        {
            return await Write(stores.Count, days, slots, closed, lastDay, cancellationToken);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var result = await Write(stores.Count, days, slots, closed, lastDay, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private async Task<SlotGenerationResult> Write(
        int stores, int days, List<DeliverySlot> slots, List<(Store Store, DateOnly Day)> closed, DateOnly lastDay, CancellationToken cancellationToken)
    {
        var created = slots.Count == 0 ? 0 : await CatalogBulkWriter.InsertMissingSlots(db, slots, cancellationToken);
        var removed = 0;
        foreach (var (store, day) in closed)
        {
            var (start, end) = CatalogSeed.LocalDayInUtc(store, day);
            removed += await db.DeliverySlots
                .Where(s => s.StoreId == store.StoreId && s.WindowStart >= start && s.WindowStart < end
                            && s.Held == 0 && s.Confirmed == 0 && !db.SlotHolds.Any(h => h.SlotId == s.SlotId))
                .ExecuteDeleteAsync(cancellationToken);
        }

        return new SlotGenerationResult(stores, days, created, removed, closed.Count, lastDay);
    }
}
