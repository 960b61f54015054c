using System.Globalization;
using Grocery.Workflows.Messaging;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Catalog;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Grocery.Workflows.Persistence.Stock;

/// <summary>One line of a count file: what was on the shelf at a store, and when it was counted.</summary>
public sealed record StockCountLine(int Line, string StoreId, string Sku, decimal Quantity, DateTimeOffset CountedAt);

/// <summary>A count file refused whole; <see cref="Line"/> is 1-based (the CSV header is line 1).</summary>
public sealed class StockCountRejectedException(int line, string message) : Exception($"Line {line}: {message}")
{
    public int Line { get; } = line;
}

/// <summary>What an import did: lines read, counts written (new or newer than the one there), lines older than the count already there.</summary>
public sealed record StockCountImportResult(int Lines, int Written, int Ignored);

/// <summary>
/// Imports a count file in two passes over it. The first reads and checks every line (known store and SKU, a quantity
/// of at most three decimals, a count time neither in the future nor more than 31 days old) and holds no lock and no
/// transaction: one bad line refuses the whole file before anything is written. The second writes it in batches, each
/// its own short transaction (and on SQLite its own turn at the write gate), so orders and consumers take their turns
/// in between. A count replaces the one kept for its store and SKU only when it is newer, so importing a file twice
/// changes nothing, and a file whose writing was cut off (the process died) is completed by posting it again.
/// </summary>
public sealed class StockCountImport(WorkflowDbContext db, WriteGate gate, TimeProvider time)
{
    /// <summary>Lines per batch on PostgreSQL: one statement, and no other writer of the engine waits for it.</summary>
    public const int BatchSize = 5000;

    /// <summary>
    /// Lines per batch on SQLite, where every writer of the process waits at the write gate while a batch is written:
    /// a thousand upserts take some milliseconds, which an order can wait.
    /// </summary>
    public const int SqliteBatchSize = 1000;

    /// <summary>
    /// Imports and reconciliation batches take this transaction lock first on PostgreSQL: they lock count rows in
    /// different orders, and one at a time they cannot deadlock.
    /// </summary>
    public const string CountsLockSql = "SELECT pg_advisory_xact_lock(20261127)";

    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>A count older than this would rewrite weeks of ledger history; it is refused as a likely typo.</summary>
    private static readonly TimeSpan MaxAge = TimeSpan.FromDays(31);

    private const string UpsertFromArraysSql =
        "INSERT INTO stock_counts (store_id, sku, counted_milli, counted_at, imported_at, reconciled_run_id) " +
        "SELECT c.store_id, c.sku, c.counted_milli, c.counted_at, @importedAt, NULL " +
        "FROM unnest(@stores, @skus, @milli, @countedAt) AS c(store_id, sku, counted_milli, counted_at) " +
        "ON CONFLICT (store_id, sku) DO UPDATE SET counted_milli = excluded.counted_milli, counted_at = excluded.counted_at, " +
        "imported_at = excluded.imported_at, reconciled_run_id = NULL WHERE excluded.counted_at > stock_counts.counted_at";

    private const string UpsertSql =
        "INSERT INTO stock_counts (store_id, sku, counted_milli, counted_at, imported_at, reconciled_run_id) " +
        "VALUES ($store, $sku, $milli, $countedAt, $importedAt, NULL) " +
        "ON CONFLICT (store_id, sku) DO UPDATE SET counted_milli = excluded.counted_milli, counted_at = excluded.counted_at, " +
        "imported_at = excluded.imported_at, reconciled_run_id = NULL WHERE excluded.counted_at > stock_counts.counted_at";

    /// <param name="read">Reads the file from its start; called twice, once to check it and once to write it.</param>
    /// <param name="cancellationToken">Stops the check (the file is then not imported).</param>
    /// <param name="writing">
    /// Stops the writing between or within batches; batches already written stay. Not the caller's request token: a
    /// checked file is written whole even when its sender stops waiting for the answer.
    /// </param>
    public Task<StockCountImportResult> Import(
        Func<CancellationToken, IAsyncEnumerable<StockCountLine>> read, CancellationToken cancellationToken, CancellationToken writing) =>
        Import(read, null, cancellationToken, writing);

    /// <param name="read">Reads the file from its start; called twice, once to check it and once to write it.</param>
    /// <param name="requestedBy">
    /// Who imports it: the audit row, with the file's lines and stores, is written in the transaction of the first batch,
    /// so that no count is written without it (by itself when the file has no line). The batches after it are
    /// transactions of their own: the row says the import was accepted, not that every batch was written before a stop.
    /// </param>
    /// <param name="cancellationToken">Stops the check (the file is then not imported).</param>
    /// <param name="writing">Stops the writing between or within batches; batches already written stay.</param>
    public async Task<StockCountImportResult> Import(
        Func<CancellationToken, IAsyncEnumerable<StockCountLine>> read, AuditedAction? requestedBy, CancellationToken cancellationToken,
        CancellationToken writing)
    {
        ArgumentNullException.ThrowIfNull(read);
        var stores = (await db.Stores.AsNoTracking().Select(s => s.StoreId).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var skus = (await db.Products.AsNoTracking().Select(p => p.Sku).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var now = time.GetUtcNow();

        var lines = 0;
        var countedStores = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var counted in read(cancellationToken).WithCancellation(cancellationToken))
        {
            Check(counted, stores, skus, now);
            countedStores.Add(counted.StoreId);
            lines++;
        }

        var audit = requestedBy is null ? null : AuditTrail.Entry(Described(requestedBy, lines, countedStores), AuditOutcomes.Accepted, now);

        var batchSize = db.Database.IsNpgsql() ? BatchSize : SqliteBatchSize;
        var batch = new Dictionary<(string StoreId, string Sku), StockCountLine>();
        int inBatch = 0, written = 0;
        await foreach (var counted in read(writing).WithCancellation(writing))
        {
            // A device clock a little ahead: the count cannot have been taken after it reached us.
            var line = counted.CountedAt > now ? counted with { CountedAt = now } : counted;
            var key = (line.StoreId, line.Sku);
            // A key twice in one statement is refused by PostgreSQL's upsert: the later count wins here already.
            if (!batch.TryGetValue(key, out var kept) || line.CountedAt > kept.CountedAt)
            {
                batch[key] = line;
            }

            if (++inBatch == batchSize)
            {
                written += await WriteBatch([.. batch.Values], now, audit, writing);
                audit = null;
                batch.Clear();
                inBatch = 0;
            }
        }

        if (batch.Count > 0)
        {
            written += await WriteBatch([.. batch.Values], now, audit, writing);
        }
        else if (audit is not null)
        {
            using var writer = await gate.Enter(writing);
            db.AuditLog.Add(audit);
            await db.SaveChangesAsync(writing);
        }

        return new StockCountImportResult(lines, written, lines - written);
    }

    /// <summary>The file's stores are its target; the one store, when there is one, its store.</summary>
    private static AuditedAction Described(AuditedAction requestedBy, int lines, SortedSet<string> stores)
    {
        var parameters = requestedBy.Parameters?.DeepClone().AsObject() ?? [];
        parameters["lines"] = lines;
        parameters["stores"] = stores.Count;
        return requestedBy with
        {
            Target = stores.Count == 0 ? "no counts" : string.Join(',', stores),
            StoreId = stores.Count == 1 ? stores.Min : null,
            Parameters = parameters,
        };
    }

    private static void Check(StockCountLine line, HashSet<string> stores, HashSet<string> skus, DateTimeOffset now)
    {
        if (!stores.Contains(line.StoreId))
        {
            throw new StockCountRejectedException(line.Line, $"there is no store '{line.StoreId}'.");
        }

        if (!skus.Contains(line.Sku))
        {
            throw new StockCountRejectedException(line.Line, $"there is no product '{line.Sku}'.");
        }

        if (line.Quantity < 0 || line.Quantity > 1_000_000_000m)
        {
            throw new StockCountRejectedException(line.Line, "the quantity must be between 0 and 1,000,000,000.");
        }

        if (decimal.Round(line.Quantity, 3) != line.Quantity)
        {
            throw new StockCountRejectedException(line.Line, "the quantity may have at most three decimals (grams, or thousandths of a piece).");
        }

        if (line.CountedAt > now + ClockSkew)
        {
            throw new StockCountRejectedException(line.Line,
                string.Create(CultureInfo.InvariantCulture, $"the count time {line.CountedAt:O} is in the future."));
        }

        if (line.CountedAt < now - MaxAge)
        {
            throw new StockCountRejectedException(line.Line,
                string.Create(CultureInfo.InvariantCulture, $"the count time {line.CountedAt:O} is more than {MaxAge.TotalDays} days old."));
        }
    }

    private async Task<int> WriteBatch(IReadOnlyCollection<StockCountLine> lines, DateTimeOffset now, AuditEntry? audit, CancellationToken cancellationToken)
    {
        using var writer = await gate.Enter(cancellationToken);
        await using var batch = await db.Database.BeginTransactionAsync(cancellationToken);
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlRawAsync(CountsLockSql, cancellationToken);
        }

        if (audit is not null)
        {
            db.AuditLog.Add(audit);
            await db.SaveChangesAsync(cancellationToken);
        }

        var written = await Write(lines, now, cancellationToken);
        await batch.CommitAsync(cancellationToken);
        return written;
    }

    private async Task<int> Write(IReadOnlyCollection<StockCountLine> lines, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (connection, transaction) = CatalogBulkWriter.Connection(db);
        if (connection is NpgsqlConnection npgsql)
        {
            await using var upsert = new NpgsqlCommand(UpsertFromArraysSql, npgsql, (NpgsqlTransaction)transaction);
            upsert.Parameters.Add(new NpgsqlParameter<string[]>("stores", [.. lines.Select(l => l.StoreId)]));
            upsert.Parameters.Add(new NpgsqlParameter<string[]>("skus", [.. lines.Select(l => l.Sku)]));
            upsert.Parameters.Add(new NpgsqlParameter<long[]>("milli", [.. lines.Select(l => Milli.From(l.Quantity))]));
            upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("countedAt", [.. lines.Select(l => l.CountedAt.ToUniversalTime())]));
            upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("importedAt", now.ToUniversalTime()));
            return await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = CatalogBulkWriter.Prepared(connection, transaction, UpsertSql,
            ("$store", SqliteType.Text), ("$sku", SqliteType.Text), ("$milli", SqliteType.Integer), ("$countedAt", SqliteType.Integer),
            ("$importedAt", SqliteType.Integer));
        var written = 0;
        foreach (var line in lines)
        {
            command.Parameters[0].Value = line.StoreId;
            command.Parameters[1].Value = line.Sku;
            command.Parameters[2].Value = Milli.From(line.Quantity);
            command.Parameters[3].Value = line.CountedAt.UtcTicks;
            command.Parameters[4].Value = now.UtcTicks;
            written += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return written;
    }
}
