using Grocery.Workflows.Persistence.Slots;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Catalog;

/// <summary>
/// Turns the stores' slot templates into delivery slots, idempotently: a slot whose id (derived from store and local
/// start) or whose store and start is already there is left alone, holds and confirmations included. The seed calls it
/// once; a nightly job calls it for the days ahead. Runs in the caller's transaction, or in its own when there is none.
/// </summary>
public sealed class DeliverySlotGenerator(WorkflowDbContext db, TimeProvider time)
{
    /// <summary>Slots for today and the next <paramref name="days"/>-1 days, "today" being each store's local date.</summary>
    /// <returns>How many slots were inserted.</returns>
    public Task<int> GenerateAsync(int days, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return Generate(store => CatalogSeed.LocalToday(store, now), days, cancellationToken);
    }

    /// <summary>Slots for the local days <paramref name="firstLocalDay"/> .. +<paramref name="days"/>-1 at every store.</summary>
    /// <returns>How many slots were inserted.</returns>
    public Task<int> GenerateAsync(DateOnly firstLocalDay, int days, CancellationToken cancellationToken) =>
        Generate(_ => firstLocalDay, days, cancellationToken);

    private async Task<int> Generate(Func<Store, DateOnly> firstLocalDay, int days, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        var stores = await db.Stores.AsNoTracking().OrderBy(s => s.StoreId).ToListAsync(cancellationToken);
        var templates = await db.SlotTemplates.AsNoTracking().ToListAsync(cancellationToken);
        List<DeliverySlot> slots = [.. stores.SelectMany(store => CatalogSeed.DeliverySlots(store, templates, firstLocalDay(store), days))];
        if (slots.Count == 0)
        {
            return 0;
        }

        if (db.Database.CurrentTransaction is not null)
        {
            return await CatalogBulkWriter.InsertMissingSlots(db, slots, cancellationToken);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var inserted = await CatalogBulkWriter.InsertMissingSlots(db, slots, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }
}
