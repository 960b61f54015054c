using System.Buffers.Binary;
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

/// <summary>What a throw of the dice decides; each has a sequence of its own for an order.</summary>
internal enum Throw
{
    PickerName = 1,
    Picking = 2,
    CustomerAnswers = 3,
    CourierName = 4,
    CourierNoShow = 5,
}

/// <summary>
/// Dice that give the same throws for the same order, decision and attempt, so a redelivered message decides the same
/// and a demo can be replayed. Seeded from all sixteen bytes of the order id: ids from NewId share most of their
/// bytes within a process (only the timestamp and sequence differ), and dice seeded from a part of them gave every
/// order of a run the same shortages, answers and no-shows. SplitMix64 mixes the seed and makes the throws; unlike
/// <see cref="Random"/>'s 32-bit seed, nearby seeds give unrelated sequences.
/// </summary>
internal sealed class Dice
{
    private const ulong Golden = 0x9E3779B97F4A7C15;
    private ulong _state;

    private Dice(ulong seed) => _state = seed;

    public static Dice For(Guid orderId, Throw decision, int attempt = 0)
    {
        Span<byte> id = stackalloc byte[16];
        orderId.TryWriteBytes(id);
        var low = BinaryPrimitives.ReadUInt64LittleEndian(id);
        var high = BinaryPrimitives.ReadUInt64LittleEndian(id[8..]);
        var purpose = Mix(((ulong)decision << 32 | (uint)attempt) * Golden);
        return new Dice(Mix(Mix(low ^ purpose) + high));
    }

    /// <summary>A number in [0, 1), from 53 random bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A number in [min, max).</summary>
    public int Next(int min, int max) => min + (int)(((Next() >> 32) * (ulong)(max - min)) >> 32);

    private ulong Next()
    {
        _state += Golden;
        return Mix(_state);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}

/// <summary>A picker: takes a queued order, picks each line (weighed items weigh a little more or less), finds some short.</summary>
public sealed class SimulatedPicker(WorkflowDbContext db, IOptions<SimulationSettings> options) : IConsumer<PickingQueued>, IConsumer<PickingStarted>
{
    private readonly SimulationSettings _settings = options.Value;

    public async Task Consume(ConsumeContext<PickingQueued> context)
    {
        var picker = $"sim-picker-{Dice.For(context.Message.OrderId, Throw.PickerName, context.Message.Attempt).Next(1, 40):00}";
        await context.SchedulePublish(_settings.StepDelay, new PickerAssigned(context.Message.OrderId, picker));
        await context.SchedulePublish(_settings.StepDelay * 2, new PickerStarted(context.Message.OrderId, picker));
    }

    public async Task Consume(ConsumeContext<PickingStarted> context)
    {
        var orderId = context.Message.OrderId;
        var picking = await db.Set<PickingState>().AsNoTracking().SingleAsync(p => p.CorrelationId == orderId, context.CancellationToken);
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.StoreId == picking.StoreId, context.CancellationToken);
        var dice = Dice.For(orderId, Throw.Picking);
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
        var dice = Dice.For(context.Message.OrderId, Throw.CustomerAnswers);
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
        var courier = $"sim-courier-{Dice.For(m.OrderId, Throw.CourierName, m.Attempt).Next(1, 200):000}";
        await context.SchedulePublish(_settings.StepDelay, new CourierAccepted(m.OrderId, courier, m.Attempt));
        if (Dice.For(m.OrderId, Throw.CourierNoShow, m.Attempt).NextDouble() < _settings.CourierNoShowRate)
        {
            await context.SchedulePublish(_settings.StepDelay * 3, new CourierNoShow(m.OrderId, courier, m.Attempt));
            return;
        }

        await context.SchedulePublish(_settings.StepDelay * 3, new ParcelPickedUp(m.OrderId, courier));
    }

    public Task Consume(ConsumeContext<DeliveryHandedOff> context) =>
        context.SchedulePublish(_settings.StepDelay * 3, new ParcelDelivered(context.Message.OrderId, context.Message.CourierId));
}
