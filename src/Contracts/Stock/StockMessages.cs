namespace Grocery.Workflows.Contracts.Stock;

/// <summary>Reserve stock for every line of an order, all or nothing.</summary>
/// <param name="OrderId">The order (idempotency key for the ledger).</param>
/// <param name="StoreId">The store whose stock is reserved.</param>
/// <param name="Lines">What to reserve.</param>
public sealed record ReserveStock(Guid OrderId, string StoreId, IReadOnlyList<StockLine> Lines);

/// <summary>Compensation: release whatever is still reserved for the order (idempotent).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="StoreId">The store.</param>
public sealed record ReleaseStock(Guid OrderId, string StoreId);

/// <summary>Picking finished: take what was picked off the shelf and release the rest of the reservation.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="StoreId">The store.</param>
/// <param name="Picked">What left the shelf, replacements included.</param>
public sealed record CommitPickedStock(Guid OrderId, string StoreId, IReadOnlyList<StockLine> Picked);

/// <summary>Compensation after a failed delivery: put the picked goods back into stock.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="StoreId">The store.</param>
/// <param name="Lines">What comes back.</param>
public sealed record ReturnStock(Guid OrderId, string StoreId, IReadOnlyList<StockLine> Lines);

/// <summary>Every line of the order is reserved.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="StoreId">The store.</param>
public sealed record StockReserved(Guid OrderId, string StoreId);

/// <summary>Business refusal: one or more lines are short; nothing was reserved.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="StoreId">The store.</param>
/// <param name="ShortSkus">The SKUs without enough available stock.</param>
public sealed record StockReservationFailed(Guid OrderId, string StoreId, IReadOnlyList<string> ShortSkus);
