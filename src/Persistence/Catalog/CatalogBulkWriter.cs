using System.Data.Common;
using Grocery.Workflows.Persistence.Slots;
using Grocery.Workflows.Persistence.Stock;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Grocery.Workflows.Persistence.Catalog;

/// <summary>
/// Writes many catalogue rows without EF Core change tracking, on the context's connection and inside its current
/// transaction: one prepared INSERT reused per row on SQLite, binary COPY (or one array INSERT) on PostgreSQL. Values
/// are written the way the model maps them: enums as their names; DateTimeOffset as UTC ticks on SQLite and UTC
/// timestamptz on PostgreSQL; Guid as upper-case text on SQLite.
/// </summary>
internal static class CatalogBulkWriter
{
    private const string InsertProductSql =
        "INSERT INTO products (sku, name, name_vi, search_text, category, unit, base_price_us_cents) " +
        "VALUES ($sku, $name, $nameVi, $searchText, $category, $unit, $price)";

    private const string CopyProductsSql =
        "COPY products (sku, name, name_vi, search_text, category, unit, base_price_us_cents) FROM STDIN (FORMAT BINARY)";

    private const string UpdateProductNamesSql =
        "UPDATE products SET name_vi = $nameVi, search_text = $searchText WHERE sku = $sku";

    private const string UpdateProductNamesFromArraysSql =
        "UPDATE products p SET name_vi = u.name_vi, search_text = u.search_text " +
        "FROM unnest(@skus, @names, @texts) AS u(sku, name_vi, search_text) WHERE p.sku = u.sku";

    private const string InsertBalanceSql =
        "INSERT INTO stock_balances (store_id, sku, on_hand_milli, reserved_milli, updated_at) VALUES ($store, $sku, $onHand, $reserved, $updatedAt)";

    private const string CopyBalancesSql =
        "COPY stock_balances (store_id, sku, on_hand_milli, reserved_milli, updated_at) FROM STDIN (FORMAT BINARY)";

    // Without a conflict target, a slot whose id or whose (store, start) exists is skipped: both are unique.
    private const string InsertSlotSql =
        "INSERT INTO delivery_slots (slot_id, store_id, window_start, window_end, cut_off_at, capacity, held, confirmed) " +
        "VALUES ($id, $store, $start, $end, $cutOff, $capacity, 0, 0) ON CONFLICT DO NOTHING";

    private const string InsertSlotsFromArraysSql =
        "INSERT INTO delivery_slots (slot_id, store_id, window_start, window_end, cut_off_at, capacity, held, confirmed) " +
        "SELECT s.slot_id, s.store_id, s.window_start, s.window_end, s.cut_off_at, s.capacity, 0, 0 " +
        "FROM unnest(@ids, @stores, @starts, @ends, @cutOffs, @capacities) AS s(slot_id, store_id, window_start, window_end, cut_off_at, capacity) " +
        "ON CONFLICT DO NOTHING";

    public static async Task<int> InsertProducts(WorkflowDbContext db, IEnumerable<Product> products, CancellationToken cancellationToken)
    {
        var (connection, transaction) = Connection(db);
        if (connection is NpgsqlConnection npgsql)
        {
            await using var copy = await npgsql.BeginBinaryImportAsync(CopyProductsSql, cancellationToken);
            foreach (var product in products)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(product.Sku, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(product.Name, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(product.NameVi, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(ProductSearchText.Of(product), NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(product.Category, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(product.Unit.ToString(), NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(product.BasePriceUsCents, NpgsqlDbType.Bigint, cancellationToken);
            }

            return checked((int)await copy.CompleteAsync(cancellationToken));
        }

        await using var command = Prepared(connection, transaction, InsertProductSql,
            ("$sku", SqliteType.Text), ("$name", SqliteType.Text), ("$nameVi", SqliteType.Text), ("$searchText", SqliteType.Text),
            ("$category", SqliteType.Text), ("$unit", SqliteType.Text), ("$price", SqliteType.Integer));
        var inserted = 0;
        foreach (var product in products)
        {
            command.Parameters[0].Value = product.Sku;
            command.Parameters[1].Value = product.Name;
            command.Parameters[2].Value = product.NameVi;
            command.Parameters[3].Value = ProductSearchText.Of(product);
            command.Parameters[4].Value = product.Category;
            command.Parameters[5].Value = product.Unit.ToString();
            command.Parameters[6].Value = product.BasePriceUsCents;
            inserted += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return inserted;
    }

    /// <summary>Writes each product's Vietnamese name and its search text (from <see cref="ProductSearchText.Of"/>).</summary>
    public static async Task<int> UpdateProductNames(WorkflowDbContext db, IReadOnlyCollection<Product> products, CancellationToken cancellationToken)
    {
        var (connection, transaction) = Connection(db);
        if (connection is NpgsqlConnection)
        {
            return await db.Database.ExecuteSqlRawAsync(UpdateProductNamesFromArraysSql,
                [
                    new NpgsqlParameter<string[]>("skus", [.. products.Select(p => p.Sku)]),
                    new NpgsqlParameter<string[]>("names", [.. products.Select(p => p.NameVi)]),
                    new NpgsqlParameter<string[]>("texts", [.. products.Select(ProductSearchText.Of)]),
                ],
                cancellationToken);
        }

        await using var command = Prepared(connection, transaction, UpdateProductNamesSql,
            ("$sku", SqliteType.Text), ("$nameVi", SqliteType.Text), ("$searchText", SqliteType.Text));
        var updated = 0;
        foreach (var product in products)
        {
            command.Parameters[0].Value = product.Sku;
            command.Parameters[1].Value = product.NameVi;
            command.Parameters[2].Value = ProductSearchText.Of(product);
            updated += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return updated;
    }

    public static async Task<int> InsertStockBalances(WorkflowDbContext db, IEnumerable<StockBalance> balances, CancellationToken cancellationToken)
    {
        var (connection, transaction) = Connection(db);
        if (connection is NpgsqlConnection npgsql)
        {
            await using var copy = await npgsql.BeginBinaryImportAsync(CopyBalancesSql, cancellationToken);
            foreach (var balance in balances)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(balance.StoreId, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(balance.Sku, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(balance.OnHandMilli, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(balance.ReservedMilli, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(balance.UpdatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
            }

            return checked((int)await copy.CompleteAsync(cancellationToken));
        }

        await using var command = Prepared(connection, transaction, InsertBalanceSql,
            ("$store", SqliteType.Text), ("$sku", SqliteType.Text), ("$onHand", SqliteType.Integer), ("$reserved", SqliteType.Integer),
            ("$updatedAt", SqliteType.Integer));
        var inserted = 0;
        foreach (var balance in balances)
        {
            command.Parameters[0].Value = balance.StoreId;
            command.Parameters[1].Value = balance.Sku;
            command.Parameters[2].Value = balance.OnHandMilli;
            command.Parameters[3].Value = balance.ReservedMilli;
            command.Parameters[4].Value = balance.UpdatedAt.UtcTicks;
            inserted += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return inserted;
    }

    /// <summary>Inserts the slots that are not there yet (by id, or by store and start); returns how many it inserted.</summary>
    public static async Task<int> InsertMissingSlots(WorkflowDbContext db, IReadOnlyCollection<DeliverySlot> slots, CancellationToken cancellationToken)
    {
        var (connection, transaction) = Connection(db);
        if (connection is NpgsqlConnection npgsql)
        {
            await using var insert = new NpgsqlCommand(InsertSlotsFromArraysSql, npgsql, (NpgsqlTransaction)transaction);
            insert.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", [.. slots.Select(s => s.SlotId)]));
            insert.Parameters.Add(new NpgsqlParameter<string[]>("stores", [.. slots.Select(s => s.StoreId)]));
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("starts", [.. slots.Select(s => s.WindowStart.ToUniversalTime())]));
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("ends", [.. slots.Select(s => s.WindowEnd.ToUniversalTime())]));
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("cutOffs", [.. slots.Select(s => s.CutOffAt.ToUniversalTime())]));
            insert.Parameters.Add(new NpgsqlParameter<int[]>("capacities", [.. slots.Select(s => s.Capacity)]));
            return await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = Prepared(connection, transaction, InsertSlotSql,
            ("$id", SqliteType.Text), ("$store", SqliteType.Text), ("$start", SqliteType.Integer), ("$end", SqliteType.Integer),
            ("$cutOff", SqliteType.Integer), ("$capacity", SqliteType.Integer));
        var inserted = 0;
        foreach (var slot in slots)
        {
            // A Guid bound as Text is written in upper case, as EF Core's SQLite mapping writes and compares it.
            command.Parameters[0].Value = slot.SlotId;
            command.Parameters[1].Value = slot.StoreId;
            command.Parameters[2].Value = slot.WindowStart.UtcTicks;
            command.Parameters[3].Value = slot.WindowEnd.UtcTicks;
            command.Parameters[4].Value = slot.CutOffAt.UtcTicks;
            command.Parameters[5].Value = slot.Capacity;
            inserted += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return inserted;
    }

    internal static (DbConnection Connection, DbTransaction Transaction) Connection(WorkflowDbContext db)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Bulk writes run inside the context's transaction.");
        return (db.Database.GetDbConnection(), transaction);
    }

    internal static SqliteCommand Prepared(DbConnection connection, DbTransaction transaction, string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var command = ((SqliteConnection)connection).CreateCommand();
        command.Transaction = (SqliteTransaction)transaction;
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
        {
            command.Parameters.Add(name, type);
        }

        command.Prepare();
        return command;
    }
}
