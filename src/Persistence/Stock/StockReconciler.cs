using System.Globalization;
using Grocery.Workflows.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Persistence.Stock;

/// <summary>How one store's counts compared with its ledger. Accuracy is the share of compared SKUs whose book quantity matched the count exactly.</summary>
public sealed record StoreAccuracy(string StoreId, int Compared, int Matched, int Adjusted, decimal AdjustedQuantity, decimal? AccuracyPercent);

public sealed record ReconciliationResult(int Compared, int Adjusted, decimal? AccuracyPercent, IReadOnlyList<StoreAccuracy> Stores);

/// <summary>
/// Compares every count that waits for reconciliation with what the ledger says was on hand when it was counted (on
/// hand now, less the movements recorded after the count), and writes the difference as an <c>Adjusted</c> ledger row
/// dated at the count time, so a later count is compared with a book that already includes it. Store by store, in
/// batches of SKUs, each batch one short transaction that locks its counts and balances: orders keep flowing, and a
/// run cut off half-way leaves whole batches done and continues with the rest.
/// </summary>
public sealed class StockReconciler(IServiceScopeFactory scopes, WriteGate gate, TimeProvider time)
{
    public int BatchSize { get; init; } = 5000;

    /// <param name="runId">The run the counts are marked with.</param>
    /// <param name="storeIds">The stores to reconcile; null for every store.</param>
    /// <param name="progress">Called after each batch with counts done and counts to do.</param>
    /// <param name="cancellationToken">Stops between batches or within one (which then rolls back).</param>
    public async Task<ReconciliationResult> Reconcile(
        Guid runId, IReadOnlyCollection<string>? storeIds, Func<long, long, Task> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        List<string> stores;
        long total;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
            var all = await db.Stores.AsNoTracking().OrderBy(s => s.StoreId).Select(s => s.StoreId).ToListAsync(cancellationToken);
            stores = storeIds is null ? all : [.. all.Where(storeIds.Contains)];
            total = await db.StockCounts.Where(c => stores.Contains(c.StoreId) && c.ReconciledRunId == null).LongCountAsync(cancellationToken);
        }

        await progress(0, total);
        long done = 0;
        var results = new List<StoreAccuracy>();
        foreach (var store in stores)
        {
            var tally = new Tally();
            var after = "";
            while (await ReconcileBatch(runId, store, after, tally, cancellationToken) is { } last)
            {
                after = last.Sku;
                done += last.Count;
                await progress(done, Math.Max(done, total));
            }

            results.Add(tally.For(store));
        }

        var compared = results.Sum(r => r.Compared);
        return new ReconciliationResult(compared, results.Sum(r => r.Adjusted), Percent(results.Sum(r => r.Matched), compared), results);
    }

    /// <returns>The last SKU of the batch and how many counts it held; null when the store has no count left.</returns>
    private async Task<(string Sku, int Count)?> ReconcileBatch(Guid runId, string storeId, string after, Tally tally, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
        using var writer = await gate.Enter(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlRawAsync(StockCountImport.CountsLockSql, cancellationToken);
        }

        // PostgreSQL: the counts are locked against a newer import, the balances against orders, in the SKU order
        // the stock ledger locks them in. SQLite: the write gate keeps every other writer out.
        var counts = db.Database.IsNpgsql()
            ? await db.StockCounts.FromSql($"""
                SELECT * FROM stock_counts WHERE store_id = {storeId} AND sku > {after} AND reconciled_run_id IS NULL
                ORDER BY sku LIMIT {BatchSize} FOR UPDATE
                """).AsNoTracking().ToListAsync(cancellationToken)
            : await db.StockCounts.AsNoTracking()
                .Where(c => c.StoreId == storeId && string.Compare(c.Sku, after) > 0 && c.ReconciledRunId == null)
                .OrderBy(c => c.Sku).Take(BatchSize).ToListAsync(cancellationToken);
        if (counts.Count == 0)
        {
            return null;
        }

        var skus = counts.Select(c => c.Sku).ToArray();
        var balances = (db.Database.IsNpgsql()
                ? await db.StockBalances.FromSql($"""
                    SELECT * FROM stock_balances WHERE store_id = {storeId} AND sku = ANY({skus}) ORDER BY sku COLLATE "C" FOR UPDATE
                    """).AsNoTracking().ToListAsync(cancellationToken)
                : await db.StockBalances.AsNoTracking().Where(b => b.StoreId == storeId && skus.Contains(b.Sku)).ToListAsync(cancellationToken))
            .ToDictionary(b => b.Sku, StringComparer.Ordinal);

        var movedAfterCount = await MovementsAfterCounts(db, storeId, counts, balances, cancellationToken);
        var now = time.GetUtcNow();
        var differences = new List<(string Sku, long Milli)>();
        foreach (var count in counts)
        {
            var onHand = balances.TryGetValue(count.Sku, out var balance) ? balance.OnHandMilli : 0;
            var book = onHand - movedAfterCount.GetValueOrDefault(count.Sku);
            var difference = count.CountedMilli - book;
            tally.Add(difference);
            if (difference == 0)
            {
                continue;
            }

            differences.Add((count.Sku, difference));
            db.StockLedger.Add(new StockLedgerEntry
            {
                StoreId = storeId, Sku = count.Sku, Movement = StockMovement.Adjusted, QuantityMilli = difference, At = count.CountedAt,
                Note = string.Create(CultureInfo.InvariantCulture, $"count {Milli.ToQuantity(count.CountedMilli)} vs book {Milli.ToQuantity(book)}, run {runId:N}"),
            });
            if (balance is null)
            {
                await AddBalance(db, storeId, count.Sku, difference, now, cancellationToken);
            }
        }

        await ApplyDifferences(db, storeId, [.. differences.Where(d => balances.ContainsKey(d.Sku))], now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await db.StockCounts
            .Where(c => c.StoreId == storeId && skus.Contains(c.Sku) && c.ReconciledRunId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.ReconciledRunId, runId), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (counts[^1].Sku, counts.Count);
    }

    /// <summary>
    /// Per SKU, the net change of on-hand recorded after its count. Only SKUs whose balance changed after the count
    /// can have any, so the ledger is read for those alone.
    /// </summary>
    private static async Task<Dictionary<string, long>> MovementsAfterCounts(
        WorkflowDbContext db, string storeId, List<StockCount> counts, Dictionary<string, StockBalance> balances, CancellationToken cancellationToken)
    {
        var changed = counts.Where(c => balances.TryGetValue(c.Sku, out var b) && b.UpdatedAt > c.CountedAt).ToDictionary(c => c.Sku, c => c.CountedAt, StringComparer.Ordinal);
        var moved = new Dictionary<string, long>(StringComparer.Ordinal);
        if (changed.Count == 0)
        {
            return moved;
        }

        var skus = changed.Keys.ToArray();
        var since = changed.Values.Min();
        var rows = await db.StockLedger.AsNoTracking()
            .Where(l => l.StoreId == storeId && skus.Contains(l.Sku) && l.At > since 
                        && (l.Movement == StockMovement.Received || l.Movement == StockMovement.Picked || l.Movement == StockMovement.Adjusted))
            .Select(l => new { l.Sku, l.Movement, l.QuantityMilli, l.At })
            .ToListAsync(cancellationToken);
        foreach (var row in rows.Where(r => r.At > changed[r.Sku]))
        {
            var signed = row.Movement == StockMovement.Picked ? -row.QuantityMilli : row.QuantityMilli;
            moved[row.Sku] = moved.GetValueOrDefault(row.Sku) + signed;
        }

        return moved;
    }

    private static async Task ApplyDifferences(WorkflowDbContext db, string storeId, List<(string Sku, long Milli)> differences, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (differences.Count == 0)
        {
            return;
        }

        if (db.Database.IsNpgsql())
        {
            string[] skus = [.. differences.Select(d => d.Sku)];
            long[] milli = [.. differences.Select(d => d.Milli)];
            var at = now.ToUniversalTime();
            await db.Database.ExecuteSqlAsync($"""
                UPDATE stock_balances AS b SET on_hand_milli = b.on_hand_milli + d.milli, updated_at = {at}
                FROM unnest({skus}, {milli}) AS d(sku, milli) WHERE b.store_id = {storeId} AND b.sku = d.sku
                """, cancellationToken);
            return;
        }

        foreach (var (sku, milli) in differences)
        {
            await db.StockBalances.Where(b => b.StoreId == storeId && b.Sku == sku).ExecuteUpdateAsync(s => s
                .SetProperty(b => b.OnHandMilli, b => b.OnHandMilli + milli)
                .SetProperty(b => b.UpdatedAt, now), cancellationToken);
        }
    }

    /// <summary>A SKU counted on a shelf the ledger never had; on PostgreSQL a delivery may be inserting its balance right now.</summary>
    private static async Task AddBalance(WorkflowDbContext db, string storeId, string sku, long milli, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            var at = now.ToUniversalTime();
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO stock_balances (store_id, sku, on_hand_milli, reserved_milli, updated_at) VALUES ({storeId}, {sku}, {milli}, 0, {at})
                ON CONFLICT (store_id, sku) DO UPDATE SET on_hand_milli = stock_balances.on_hand_milli + excluded.on_hand_milli, updated_at = excluded.updated_at
                """, cancellationToken);
            return;
        }

        db.StockBalances.Add(new StockBalance { StoreId = storeId, Sku = sku, OnHandMilli = milli, UpdatedAt = now });
    }

    private static decimal? Percent(int part, int whole) => whole == 0 ? null : Math.Round(100m * part / whole, 2);

    private sealed class Tally
    {
        private int _compared;
        private int _matched;
        private long _adjustedMilli;

        public void Add(long difference)
        {
            _compared++;
            if (difference == 0)
            {
                _matched++;
            }
            else
            {
                _adjustedMilli += Math.Abs(difference);
            }
        }

        public StoreAccuracy For(string storeId) =>
            new(storeId, _compared, _matched, _compared - _matched, Milli.ToQuantity(_adjustedMilli), Percent(_matched, _compared));
    }
}
