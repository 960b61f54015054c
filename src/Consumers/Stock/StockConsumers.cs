using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Stock;
using MassTransit;

namespace Grocery.Workflows.Consumers.Stock;

/// <summary>The stock ledger as the consumers see it. Every call runs inside the consuming message's transaction.</summary>
public interface IStockLedger
{
    /// <summary>Reserves every line or none; returns the SKUs that are short (empty when reserved).</summary>
    Task<IReadOnlyList<string>> Reserve(Guid orderId, string storeId, IReadOnlyList<StockLine> lines, CancellationToken cancellationToken);

    Task Release(Guid orderId, CancellationToken cancellationToken);

    /// <summary>Takes what was picked off the shelf and releases the rest of the order's reservation.</summary>
    Task CommitPicked(Guid orderId, string storeId, IReadOnlyList<StockLine> picked, CancellationToken cancellationToken);

    Task Return(Guid orderId, string storeId, IReadOnlyList<StockLine> lines, CancellationToken cancellationToken);
}

public sealed class ReserveStockConsumer(IStockLedger ledger) : IConsumer<ReserveStock>
{
    public async Task Consume(ConsumeContext<ReserveStock> context)
    {
        var m = context.Message;
        var shortSkus = await ledger.Reserve(m.OrderId, m.StoreId, m.Lines, context.CancellationToken);
        if (shortSkus.Count == 0)
        {
            await context.Publish(new StockReserved(m.OrderId, m.StoreId));
        }
        else
        {
            await context.Publish(new StockReservationFailed(m.OrderId, m.StoreId, shortSkus));
        }
    }
}

public sealed class ReleaseStockConsumer(IStockLedger ledger) : IConsumer<ReleaseStock>
{
    public Task Consume(ConsumeContext<ReleaseStock> context) => ledger.Release(context.Message.OrderId, context.CancellationToken);
}

public sealed class CommitPickedStockConsumer(IStockLedger ledger) : IConsumer<CommitPickedStock>
{
    public Task Consume(ConsumeContext<CommitPickedStock> context) =>
        ledger.CommitPicked(context.Message.OrderId, context.Message.StoreId, context.Message.Picked, context.CancellationToken);
}

public sealed class ReturnStockConsumer(IStockLedger ledger) : IConsumer<ReturnStock>
{
    public Task Consume(ConsumeContext<ReturnStock> context) =>
        ledger.Return(context.Message.OrderId, context.Message.StoreId, context.Message.Lines, context.CancellationToken);
}
