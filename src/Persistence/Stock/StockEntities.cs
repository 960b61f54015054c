namespace Grocery.Workflows.Persistence.Stock;

/// <summary>
/// Quantities are kept in thousandths (grams for weighed items, 1/1000 of a piece otherwise) as integers, so that
/// every provider compares and adds them exactly.
/// </summary>
public static class Milli
{
    public static long From(decimal quantity) => checked((long)decimal.Round(quantity * 1000m, MidpointRounding.AwayFromZero));

    public static decimal ToQuantity(long milli) => milli / 1000m;
}

/// <summary>What is on the shelf and how much of it is promised to orders, per store and SKU.</summary>
public sealed class StockBalance
{
    public string StoreId { get; set; } = "";
    public string Sku { get; set; } = "";
    public long OnHandMilli { get; set; }
    public long ReservedMilli { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public enum StockMovement
{
    Received,
    Reserved,
    Released,
    Picked,
    Adjusted,
}

/// <summary>Append-only: every change of a balance, with the order that caused it.</summary>
public sealed class StockLedgerEntry
{
    public long Id { get; set; }
    public string StoreId { get; set; } = "";
    public string Sku { get; set; } = "";
    public StockMovement Movement { get; set; }
    public long QuantityMilli { get; set; }
    public Guid? OrderId { get; set; }
    public DateTimeOffset At { get; set; }
    public string? Note { get; set; }
}

/// <summary>What is still reserved for an order, line by line: the handle that release and pick settle.</summary>
public sealed class StockReservation
{
    public Guid OrderId { get; set; }
    public string Sku { get; set; } = "";
    public string StoreId { get; set; } = "";
    public long QuantityMilli { get; set; }
}

/// <summary>
/// The latest physical count of a SKU at a store, as imported: a newer count replaces an older one. Reconciliation
/// compares it with what the ledger says was on hand at <see cref="CountedAt"/> and marks it with its run.
/// </summary>
public sealed class StockCount
{
    public string StoreId { get; set; } = "";
    public string Sku { get; set; } = "";
    public long CountedMilli { get; set; }
    public DateTimeOffset CountedAt { get; set; }
    public DateTimeOffset ImportedAt { get; set; }

    /// <summary>The reconciliation run that compared this count; null while it waits for one.</summary>
    public Guid? ReconciledRunId { get; set; }
}
