using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Consumers.Stock;

/// <summary>The stock ledger as checkout and the consumers see it. Every call runs inside the caller's transaction.</summary>
public interface IStockLedger
{
    /// <summary>Reserves every line or none for a new order (at checkout); returns the SKUs that are short (empty when reserved).</summary>
    Task<IReadOnlyList<string>> Reserve(Guid orderId, string storeId, IReadOnlyList<StockLine> lines, CancellationToken cancellationToken);

    Task Release(Guid orderId, CancellationToken cancellationToken);

    /// <summary>Takes what was picked off the shelf and releases the rest of the order's reservation.</summary>
    Task CommitPicked(Guid orderId, string storeId, IReadOnlyList<StockLine> picked, CancellationToken cancellationToken);

    Task Return(Guid orderId, string storeId, IReadOnlyList<StockLine> lines, CancellationToken cancellationToken);
}
