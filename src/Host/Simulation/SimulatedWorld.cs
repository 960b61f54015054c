using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Delivery;
using Grocery.Workflows.Contracts.Picking;
using Grocery.Workflows.Contracts.Substitutions;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Catalog;
using Grocery.Workflows.Persistence.Stock;
using Grocery.Workflows.Sagas.Picking;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Host.Simulation;

/// <summary>Dice that give the same throws for the same order, so a demo can be replayed.</summary>
internal static class Dice
{
    public static Random For(Guid orderId, int salt = 0) => new(BitConverter.ToInt32(orderId.ToByteArray(), 0) ^ salt);
}

/// <summary>A picker: takes a queued order, picks each line (weighed items weigh a little more or less), finds some short.</summary>
public sealed class SimulatedPicker(WorkflowDbContext db, IOptions<SimulationSettings> options) : IConsumer<PickingQueued>, IConsumer<PickingStarted>
{
    private readonly SimulationSettings _settings = options.Value;

    public async Task Consume(ConsumeContext<PickingQueued> context)
    {
        var picker = $"sim-picker-{Dice.For(context.Message.OrderId, context.Message.Attempt).Next(1, 40):00}";
        await context.SchedulePublish(_settings.StepDelay, new PickerAssigned(context.Message.OrderId, picker));
        await context.SchedulePublish(_settings.StepDelay * 2, new PickerStarted(context.Message.OrderId, picker));
    }

    public async Task Consume(ConsumeContext<PickingStarted> context)
    {
        var orderId = context.Message.OrderId;
        var picking = await db.Set<PickingState>().AsNoTracking().SingleAsync(p => p.CorrelationId == orderId, context.CancellationToken);
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.StoreId == picking.StoreId, context.CancellationToken);
        var dice = Dice.For(orderId, 7);
        var step = 1;
        foreach (var line in picking.Lines)
        {
            var delay = _settings.StepDelay * step++;
            if (dice.NextDouble() < _settings.ShortageRate)
            {
                var substitute = await Substitute(line, store, context.CancellationToken);
                await context.SchedulePublish(delay, new LineShort(orderId, context.Message.PickerId, line.Sku, 0, substitute));
                continue;
            }

            var quantity = line.Unit == SaleUnit.Kilogram
                ? decimal.Round(line.Quantity * (0.95m + (decimal)dice.NextDouble() / 10m), 3)
                : line.Quantity;
            await context.SchedulePublish(delay, new LinePicked(orderId, context.Message.PickerId, line.Sku, quantity));
        }
    }

    /// <summary>
    /// The next product of the same category and unit with a well-stocked shelf (ten times what the line needs), at
    /// the store's price; sometimes there is none. The engine does not reserve a substitute (a known limit), so a
    /// picker who took the last units of a shelf for two orders at once would leave the books below zero.
    /// </summary>
    private async Task<OrderLine?> Substitute(OrderLine line, Store store, CancellationToken cancellationToken)
    {
        var category = await db.Products.AsNoTracking().Where(p => p.Sku == line.Sku).Select(p => p.Category).SingleOrDefaultAsync(cancellationToken);
        var needed = Milli.From(line.Quantity);
        var wellStocked = needed * 10;
        var product = await db.Products.AsNoTracking()
            .Where(p => p.Category == category && p.Unit == line.Unit && string.Compare(p.Sku, line.Sku) > 0
                && db.StockBalances.Any(b => b.StoreId == store.StoreId && b.Sku == p.Sku && b.OnHandMilli - b.ReservedMilli >= wellStocked))
            .OrderBy(p => p.Sku).FirstOrDefaultAsync(cancellationToken);
        return product is null ? null : new OrderLine(product.Sku, product.Name, product.Unit, line.Quantity, CatalogPricing.PriceAt(store, product));
    }
}

/// <summary>A customer who answers substitution questions, mostly with yes.</summary>
public sealed class SimulatedCustomer(IOptions<SimulationSettings> options) : IConsumer<SubstitutionsProposed>
{
    public Task Consume(ConsumeContext<SubstitutionsProposed> context)
    {
        var dice = Dice.For(context.Message.OrderId, 13);
        var answers = context.Message.Lines.Where(l => l.Substitute is not null)
            .Select(l => new CustomerAnswer(l.Sku, dice.NextDouble() < options.Value.ApprovalRate)).ToList();
        return answers.Count == 0
            ? Task.CompletedTask
            : context.SchedulePublish(options.Value.StepDelay, new AnswerSubstitutions(context.Message.OrderId, context.Message.RoundId, answers));
    }
}

/// <summary>A courier company: accepts, picks up and delivers; now and then a courier does not turn up.</summary>
public sealed class SimulatedCourier(IOptions<SimulationSettings> options) : IConsumer<DispatchCourier>, IConsumer<DeliveryHandedOff>
{
    private readonly SimulationSettings _settings = options.Value;

    public async Task Consume(ConsumeContext<DispatchCourier> context)
    {
        var m = context.Message;
        var courier = $"sim-courier-{Dice.For(m.OrderId, m.Attempt).Next(1, 200):000}";
        await context.SchedulePublish(_settings.StepDelay, new CourierAccepted(m.OrderId, courier, m.Attempt));
        if (Dice.For(m.OrderId, 31 + m.Attempt).NextDouble() < _settings.CourierNoShowRate)
        {
            await context.SchedulePublish(_settings.StepDelay * 3, new CourierNoShow(m.OrderId, courier, m.Attempt));
            return;
        }

        await context.SchedulePublish(_settings.StepDelay * 3, new ParcelPickedUp(m.OrderId, courier));
    }

    public Task Consume(ConsumeContext<DeliveryHandedOff> context) =>
        context.SchedulePublish(_settings.StepDelay * 3, new ParcelDelivered(context.Message.OrderId, context.Message.CourierId));
}
