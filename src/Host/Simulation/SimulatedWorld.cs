using System.Buffers.Binary;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Consumers.Delivery;
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

/// <summary>
/// A picker: takes a queued order and plans the whole pick at once, one step apart: taken, started, then a step per
/// line (weighed items weigh a little more or less, some lines are short) and the pick list reported when the last
/// line is done. Planned from the queued order alone, it needs no message from the engine in between.
/// </summary>
public sealed class SimulatedPicker(WorkflowDbContext db, IOptions<SimulationSettings> options) : IConsumer<PickingQueued>
{
    private readonly SimulationSettings _settings = options.Value;

    public async Task Consume(ConsumeContext<PickingQueued> context)
    {
        var orderId = context.Message.OrderId;
        var picker = $"sim-picker-{Dice.For(orderId, Throw.PickerName, context.Message.Attempt).Next(1, 40):00}";
        var picking = await db.Set<PickingState>().AsNoTracking().SingleAsync(p => p.CorrelationId == orderId, context.CancellationToken);
        var pickList = await Pick(orderId, picking, context.CancellationToken);

        await context.SchedulePublish(_settings.StepDelay, new PickerAssigned(orderId, picker));
        await context.SchedulePublish(_settings.StepDelay * 2, new PickerStarted(orderId, picker));
        await context.SchedulePublish(_settings.StepDelay * (2 + picking.Lines.Count), new PickListReported(orderId, picker, pickList));
    }

    /// <summary>Every line picked in full or short; the same dice for every attempt, so a second picker finds the same shelves.</summary>
    private async Task<List<PickListLine>> Pick(Guid orderId, PickingState picking, CancellationToken cancellationToken)
    {
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.StoreId == picking.StoreId, cancellationToken);
        var dice = Dice.For(orderId, Throw.Picking);
        var pickList = new List<PickListLine>(picking.Lines.Count);
        foreach (var line in picking.Lines)
        {
            if (dice.NextDouble() < _settings.ShortageRate)
            {
                pickList.Add(PickListLine.PickedShort(line.Sku, 0, await Substitute(line, store, cancellationToken)));
                continue;
            }

            var quantity = line.Unit == SaleUnit.Kilogram
                ? decimal.Round(line.Quantity * (0.95m + (decimal)dice.NextDouble() / 10m), 3)
                : line.Quantity;
            pickList.Add(PickListLine.Picked(line.Sku, quantity));
        }

        return pickList;
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

/// <summary>
/// A customer who answers substitution questions, mostly with yes; the customers named in
/// <see cref="SimulationSettings.SilentCustomers"/>, and all of them when <see cref="SimulationSettings.AnswerSubstitutions"/>
/// is false, never answer, so their decision time runs out (or an operator or the storefront answers).
/// </summary>
public sealed class SimulatedCustomer(IOptions<SimulationSettings> options, WorkflowDbContext db) : IConsumer<SubstitutionsProposed>
{
    public async Task Consume(ConsumeContext<SubstitutionsProposed> context)
    {
        if (!options.Value.AnswerSubstitutions)
        {
            return;
        }

        if (options.Value.SilentCustomers.Length > 0)
        {
            var orderId = context.Message.OrderId;
            var customer = await db.Set<Sagas.Orders.OrderState>().AsNoTracking().Where(o => o.CorrelationId == orderId).Select(o => o.CustomerId)
                .FirstOrDefaultAsync(context.CancellationToken);
            if (customer is not null && options.Value.SilentCustomers.Contains(customer, StringComparer.Ordinal))
            {
                return;
            }
        }

        await Answer(context);
    }

    private Task Answer(ConsumeContext<SubstitutionsProposed> context)
    {
        var dice = Dice.For(context.Message.OrderId, Throw.CustomerAnswers);
        var answers = context.Message.Lines.Where(l => l.Substitute is not null)
            .Select(l => new CustomerAnswer(l.Sku, dice.NextDouble() < options.Value.ApprovalRate)).ToList();
        return answers.Count == 0
            ? Task.CompletedTask
            : context.SchedulePublish(options.Value.StepDelay, new AnswerSubstitutions(context.Message.OrderId, context.Message.RoundId, answers));
    }
}

/// <summary>
/// A courier company: accepts, picks up and delivers, planned at once when the courier is booked, one move three steps
/// after the other; now and then a courier does not turn up. Planned from the booking alone, it needs no message from
/// the engine in between (a delivery that overtakes its pick-up is taken as handed off, then delivered).
/// </summary>
public sealed class SimulatedCourier(IOptions<SimulationSettings> options, TimeProvider time) : IConsumer<DispatchCourier>, IConsumer<QuoteDelivery>
{
    private readonly SimulationSettings _settings = options.Value;

    /// <summary>The simulator charges nothing and says when its courier would be at the door.</summary>
    public Task Consume(ConsumeContext<QuoteDelivery> context) =>
        context.Publish(new DeliveryQuoted(context.Message.OrderId, CourierSettings.Simulator, null, time.GetUtcNow() + _settings.StepDelay * 6, null));

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
        await context.SchedulePublish(_settings.StepDelay * 6, new ParcelDelivered(m.OrderId, courier));
    }
}
