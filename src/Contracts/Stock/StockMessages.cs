namespace Grocery.Workflows.Contracts.Stock;

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

