using Grocery.Workflows.Consumers.Stock;
using Grocery.Workflows.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Stock;

/// <summary>
/// The stock ledger on EF Core. A reservation is a conditional update (<c>on_hand - reserved &gt;= quantity</c>), so
/// concurrent reservations can never promise more than is on the shelf. SKUs are locked in a fixed order to keep
/// concurrent orders from deadlocking. Every change appends a ledger row in the same transaction.
/// </summary>
public sealed class EfStockLedger(WorkflowDbContext db, TimeProvider time) : IStockLedger
{
    public async Task<IReadOnlyList<string>> Reserve(Guid orderId, string storeId, IReadOnlyList<StockLine> lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var now = time.GetUtcNow();
        var wanted = Merge(lines);
        var reserved = new List<(string Sku, long Milli)>();
        var shortSkus = new List<string>();
        foreach (var (sku, milli) in wanted)
        {
            var updated = await db.StockBalances
                .Where(b => b.StoreId == storeId && b.Sku == sku && b.OnHandMilli - b.ReservedMilli >= milli)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.ReservedMilli, b => b.ReservedMilli + milli).SetProperty(b => b.UpdatedAt, now), cancellationToken);
            if (updated == 1)
            {
                reserved.Add((sku, milli));
            }
            else
            {
                shortSkus.Add(sku);
            }
        }

        if (shortSkus.Count > 0)
        {
            // All or nothing: give back what this order took a moment ago, within the same transaction.
            foreach (var (sku, milli) in reserved)
            {
                await AddReserved(storeId, sku, -milli, now, cancellationToken);
            }

            return shortSkus;
        }

        foreach (var (sku, milli) in reserved)
        {
            db.StockReservations.Add(new StockReservation { OrderId = orderId, StoreId = storeId, Sku = sku, QuantityMilli = milli });
            Append(storeId, sku, StockMovement.Reserved, milli, orderId, now);
        }

        return [];
    }

    public async Task Release(Guid orderId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var reservation in await Reservations(orderId, cancellationToken))
        {
            await AddReserved(reservation.StoreId, reservation.Sku, -reservation.QuantityMilli, now, cancellationToken);
            Append(reservation.StoreId, reservation.Sku, StockMovement.Released, reservation.QuantityMilli, orderId, now);
            db.StockReservations.Remove(reservation);
        }
    }

    public async Task CommitPicked(Guid orderId, string storeId, IReadOnlyList<StockLine> picked, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(picked);
        var now = time.GetUtcNow();
        var pickedBySku = Merge(picked).ToDictionary(p => p.Sku, p => p.Milli, StringComparer.Ordinal);
        var reservations = (await Reservations(orderId, cancellationToken)).ToDictionary(r => r.Sku, StringComparer.Ordinal);

        foreach (var sku in pickedBySku.Keys.Union(reservations.Keys).Order(StringComparer.Ordinal))
        {
            var pickedMilli = pickedBySku.GetValueOrDefault(sku);
            var reservedMilli = reservations.TryGetValue(sku, out var reservation) ? reservation.QuantityMilli : 0;
            await db.StockBalances
                .Where(b => b.StoreId == storeId && b.Sku == sku)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(b => b.ReservedMilli, b => b.ReservedMilli - reservedMilli)
                    .SetProperty(b => b.OnHandMilli, b => b.OnHandMilli - pickedMilli)
                    .SetProperty(b => b.UpdatedAt, now), cancellationToken);

            if (pickedMilli > 0)
            {
                Append(storeId, sku, StockMovement.Picked, pickedMilli, orderId, now);
            }

            if (reservedMilli > 0)
            {
                Append(storeId, sku, StockMovement.Released, reservedMilli, orderId, now, "reservation settled at picking");
                db.StockReservations.Remove(reservation!);
            }
        }
    }

    public async Task Return(Guid orderId, string storeId, IReadOnlyList<StockLine> lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var now = time.GetUtcNow();
        foreach (var (sku, milli) in Merge(lines))
        {
            await Receive(storeId, sku, milli, now, cancellationToken);
            Append(storeId, sku, StockMovement.Received, milli, orderId, now, "returned after a failed delivery");
        }
    }

    /// <summary>Goods arrive at a store (seed data, deliveries from suppliers).</summary>
    public async Task Receive(string storeId, string sku, decimal quantity, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var milli = Milli.From(quantity);
        await Receive(storeId, sku, milli, now, cancellationToken);
        Append(storeId, sku, StockMovement.Received, milli, null, now);
    }

    private async Task Receive(string storeId, string sku, long milli, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var updated = await db.StockBalances
            .Where(b => b.StoreId == storeId && b.Sku == sku)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.OnHandMilli, b => b.OnHandMilli + milli).SetProperty(b => b.UpdatedAt, now), cancellationToken);
        if (updated == 0)
        {
            db.StockBalances.Add(new StockBalance { StoreId = storeId, Sku = sku, OnHandMilli = milli, UpdatedAt = now });
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    private Task<int> AddReserved(string storeId, string sku, long milli, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.StockBalances
            .Where(b => b.StoreId == storeId && b.Sku == sku)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.ReservedMilli, b => b.ReservedMilli + milli).SetProperty(b => b.UpdatedAt, now), cancellationToken);

    private Task<List<StockReservation>> Reservations(Guid orderId, CancellationToken cancellationToken) =>
        db.StockReservations.Where(r => r.OrderId == orderId).OrderBy(r => r.Sku).ToListAsync(cancellationToken);

    private void Append(string storeId, string sku, StockMovement movement, long milli, Guid? orderId, DateTimeOffset now, string? note = null) =>
        db.StockLedger.Add(new StockLedgerEntry
        {
            StoreId = storeId, Sku = sku, Movement = movement, QuantityMilli = milli, OrderId = orderId, At = now, Note = note,
        });

    private static List<(string Sku, long Milli)> Merge(IEnumerable<StockLine> lines) =>
    [
        .. lines.GroupBy(l => l.Sku, StringComparer.Ordinal)
            .Select(g => (g.Key, Milli.From(g.Sum(l => l.Quantity))))
            .OrderBy(x => x.Key, StringComparer.Ordinal),
    ];
}
