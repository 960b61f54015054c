using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Delivery;
using Grocery.Workflows.Contracts.Picking;
using Grocery.Workflows.Contracts.Substitutions;
using Grocery.Workflows.Host.Simulation;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Catalog;
using Grocery.Workflows.Sagas.Picking;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Api.Tests.Simulation;

/// <summary>
/// The simulated pickers, customers and couriers over 1,000 orders whose ids come from NewId in sequence, as the
/// engine makes them: each rate lands within 3 points of its setting. Fresh ids on every run; with five lines per
/// order the shortage and approval rates are each measured on 5,000 throws and the no-show rate on 1,000, so a
/// miss by 3 points is more than four standard deviations away for dice that are fair.
/// </summary>
public sealed class SimulatedWorldTests : IAsyncLifetime
{
    private const int Orders = 1000;
    private const int LinesPerOrder = 5;
    private const double Tolerance = 0.03;
    private const string Store = "sim-01";

    private readonly string _file = Path.Combine(Path.GetTempPath(), "grocery-tests", $"simulation-{Guid.NewGuid():N}.db");
    private readonly SimulationSettings _settings = new() { StepDelay = TimeSpan.Zero };
    private ServiceProvider _provider = null!;

    [Fact]
    public async Task Over_1000_orders_each_rate_lands_within_3_points_of_its_setting()
    {
        var orders = Enumerable.Range(0, Orders).Select(_ => NewId.NextGuid()).ToList();
        await Picking(orders);
        var harness = _provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        foreach (var orderId in orders)
        {
            await harness.Bus.Publish(new PickingQueued(orderId, Store, 1));
            await harness.Bus.Publish(EveryLineShort(orderId));
            await harness.Bus.Publish(new DispatchCourier(orderId, Store, 1));
        }

        await Consumed<PickingQueued>(harness);
        await Consumed<SubstitutionsProposed>(harness);
        await Consumed<DispatchCourier>(harness);

        // Scheduled (after the simulated step delay), they reach the delayed scheduler as sends.
        const int lines = Orders * LinesPerOrder;
        var pickLists = harness.Sent.Select<PickListReported>().Take(Orders + 1).Select(m => m.Context.Message).ToList();
        pickLists.Count.ShouldBe(Orders, "one pick list per queued order");
        pickLists.ShouldAllBe(p => p.Lines.Select(l => l.Sku).SequenceEqual(Lines().Select(o => o.Sku)), "every line is picked or short, in the order's order");
        var shorts = pickLists.Sum(p => p.Lines.Count(l => l.IsShort));
        var answers = harness.Sent.Select<AnswerSubstitutions>().Take(Orders).SelectMany(m => m.Context.Message.Answers).ToList();
        answers.Count.ShouldBe(lines, "every proposed line is answered");

        var shortage = shorts / (double)lines;
        var approval = answers.Count(a => a.Approve) / (double)lines;
        var noShows = harness.Sent.Select<CourierNoShow>().Take(Orders).Select(m => m.Context.Message.OrderId).ToHashSet();
        var noShow = noShows.Count / (double)Orders;
        var rates = $"shortage {shortage:P1}, approval {approval:P1}, no-show {noShow:P1}";
        shortage.ShouldBe(_settings.ShortageRate, Tolerance, rates);
        approval.ShouldBe(_settings.ApprovalRate, Tolerance, rates);
        noShow.ShouldBe(_settings.CourierNoShowRate, Tolerance, rates);

        // The whole pick and the whole delivery are planned from the one message that starts each: the picker who is
        // assigned starts and reports, and every courier who turns up picks the parcel up and delivers it.
        var assigned = harness.Sent.Select<PickerAssigned>().Take(Orders + 1).ToDictionary(m => m.Context.Message.OrderId, m => m.Context.Message.PickerId);
        var started = harness.Sent.Select<PickerStarted>().Take(Orders + 1).ToDictionary(m => m.Context.Message.OrderId, m => m.Context.Message.PickerId);
        assigned.Count.ShouldBe(Orders);
        started.OrderBy(p => p.Key).ShouldBe(assigned.OrderBy(p => p.Key));
        pickLists.ShouldAllBe(p => assigned[p.OrderId] == p.PickerId);
        var pickedUp = harness.Sent.Select<ParcelPickedUp>().Take(Orders + 1).ToDictionary(m => m.Context.Message.OrderId, m => m.Context.Message.CourierId);
        var delivered = harness.Sent.Select<ParcelDelivered>().Take(Orders + 1).ToDictionary(m => m.Context.Message.OrderId, m => m.Context.Message.CourierId);
        delivered.Count.ShouldBe(Orders - noShows.Count);
        delivered.OrderBy(p => p.Key).ShouldBe(pickedUp.OrderBy(p => p.Key), "each courier who picks a parcel up delivers it");
        delivered.Keys.ShouldAllBe(o => !noShows.Contains(o));
    }

    [Fact]
    public async Task A_redelivered_message_plans_the_same_pick_and_the_same_delivery()
    {
        var orders = Enumerable.Range(0, 20).Select(_ => NewId.NextGuid()).ToList();
        await Picking(orders);
        var harness = _provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        for (var delivery = 0; delivery < 2; delivery++)
        {
            foreach (var orderId in orders)
            {
                await harness.Bus.Publish(new PickingQueued(orderId, Store, 1));
                await harness.Bus.Publish(new DispatchCourier(orderId, Store, 1));
            }
        }

        await Consumed<PickingQueued>(harness, orders.Count * 2);
        await Consumed<DispatchCourier>(harness, orders.Count * 2);

        var pickLists = harness.Sent.Select<PickListReported>().Take(orders.Count * 2 + 1).Select(m => m.Context.Message).ToList();
        pickLists.Count.ShouldBe(orders.Count * 2);
        foreach (var twice in pickLists.GroupBy(p => p.OrderId))
        {
            twice.Count().ShouldBe(2);
            twice.First().PickerId.ShouldBe(twice.Last().PickerId);
            twice.First().Lines.ShouldBe(twice.Last().Lines);
        }

        var accepted = harness.Sent.Select<CourierAccepted>().Take(orders.Count * 2 + 1).Select(m => m.Context.Message).ToList();
        accepted.Count.ShouldBe(orders.Count * 2);
        accepted.GroupBy(a => a.OrderId).ShouldAllBe(twice => twice.Distinct().Count() == 1);
    }

    [Fact]
    public async Task With_AnswerSubstitutions_off_the_simulator_leaves_every_question_to_the_storefront()
    {
        _settings.AnswerSubstitutions = false;
        var orders = Enumerable.Range(0, 20).Select(_ => NewId.NextGuid()).ToList();
        await Picking(orders);
        var harness = _provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        foreach (var orderId in orders)
        {
            await harness.Bus.Publish(new PickingQueued(orderId, Store, 1));
            await harness.Bus.Publish(EveryLineShort(orderId));
        }

        await Consumed<SubstitutionsProposed>(harness, orders.Count);
        await Consumed<PickingQueued>(harness, orders.Count);

        // The pickers still play (their pick lists are sent after the same step delay as an answer would be).
        harness.Sent.Select<PickListReported>().Take(orders.Count).Count().ShouldBe(orders.Count);
        harness.Sent.Select<AnswerSubstitutions>().Any().ShouldBeFalse();
    }

    [Fact]
    public void The_simulated_world_answers_the_engine_without_waiting_for_its_intermediate_steps()
    {
        static IEnumerable<Type> Consumes(Type consumer) =>
            consumer.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>)).Select(i => i.GetGenericArguments()[0]);

        Consumes(typeof(SimulatedPicker)).ShouldBe([typeof(PickingQueued)]);
        Consumes(typeof(SimulatedCustomer)).ShouldBe([typeof(SubstitutionsProposed)]);
        Consumes(typeof(SimulatedCourier)).ShouldBe([typeof(DispatchCourier), typeof(QuoteDelivery)], ignoreOrder: true);
    }

    /// <summary>Waits (up to a minute) until every order's message of this type (or the given count) has been consumed.</summary>
    private static async Task Consumed<T>(ITestHarness harness, int count = Orders)
        where T : class
    {
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (harness.Consumed.Select<T>().Take(count).Count() < count)
        {
            if (DateTime.UtcNow > until)
            {
                throw new ShouldAssertException($"Fewer than {count} {typeof(T).Name} were consumed.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A question about every line of the order, each with its own substitute.</summary>
    private static SubstitutionsProposed EveryLineShort(Guid orderId) =>
        new(orderId, Guid.NewGuid(), [.. Lines().Select(l => new ShortLine(l.Sku, l.Name, l.Quantity, l with { Sku = $"{l.Sku}-SUB" }))],
            DateTimeOffset.UtcNow.AddMinutes(10));

    private static IEnumerable<OrderLine> Lines() =>
        Enumerable.Range(1, LinesPerOrder).Select(i => new OrderLine($"SIM-{i:D5}", $"Simulated item {i}", SaleUnit.Each, 1, 100));

    /// <summary>What the picker reads: the order's picking saga and its store.</summary>
    private async Task Picking(IEnumerable<Guid> orders)
    {
        await using var scope = _provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
        await db.Database.MigrateAsync();
        db.Stores.Add(new Store { StoreId = Store, Name = "Simulated store", City = "Da Nang", TimeZone = "Asia/Ho_Chi_Minh", Currency = "VND", PriceFactor = 254m, PriceRounding = 100 });
        db.Products.AddRange(Lines().Select(l => new Product { Sku = l.Sku, Name = l.Name, Category = "Pantry", Unit = SaleUnit.Each, BasePriceUsCents = 100 }));
        db.Set<PickingState>().AddRange(orders.Select(o => new PickingState { CorrelationId = o, CurrentState = "Picking", StoreId = Store, Lines = [.. Lines()], Attempt = 1 }));
        await db.SaveChangesAsync();
    }

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        _provider = new ServiceCollection()
            .AddSingleton(Options.Create(_settings))
            .AddSingleton(TimeProvider.System)
            .AddDbContext<SqliteWorkflowDbContext>(o => o.UseSqlite($"Data Source={_file}"))
            .AddScoped<WorkflowDbContext>(sp => sp.GetRequiredService<SqliteWorkflowDbContext>())
            .AddMassTransitTestHarness(x =>
            {
                x.SetTestTimeouts(testTimeout: TimeSpan.FromMinutes(2), testInactivityTimeout: TimeSpan.FromSeconds(1));
                x.AddDelayedMessageScheduler();
                x.AddConsumer<SimulatedPicker>();
                x.AddConsumer<SimulatedCustomer>();
                x.AddConsumer<SimulatedCourier>();
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseDelayedMessageScheduler();
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(validateScopes: true);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _file, _file + "-wal", _file + "-shm" })
        {
            File.Delete(file);
        }
    }
}
