using Grocery.Workflows.Contracts.Stock;
using MassTransit;

namespace Grocery.Workflows.Consumers.Stock;

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
