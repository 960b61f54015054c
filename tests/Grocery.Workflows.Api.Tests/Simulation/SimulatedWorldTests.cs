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
            await harness.Bus.Publish(new PickingStarted(orderId, "picker-1"));
            await harness.Bus.Publish(new SubstitutionsProposed(orderId, Guid.NewGuid(),
                [.. Lines().Select(l => new ShortLine(l.Sku, l.Name, l.Quantity, l with { Sku = $"{l.Sku}-SUB" }))], DateTimeOffset.UtcNow.AddMinutes(10)));
            await harness.Bus.Publish(new DispatchCourier(orderId, Store, 1));
        }

        await Consumed<PickingStarted>(harness);
        await Consumed<SubstitutionsProposed>(harness);
        await Consumed<DispatchCourier>(harness);

        // Scheduled (after the simulated step delay), they reach the delayed scheduler as sends.
        const int lines = Orders * LinesPerOrder;
        var shorts = harness.Sent.Select<LineShort>().Take(lines).Count();
        (shorts + harness.Sent.Select<LinePicked>().Take(lines).Count()).ShouldBe(lines, "every line is picked or short");
        var answers = harness.Sent.Select<AnswerSubstitutions>().Take(Orders).SelectMany(m => m.Context.Message.Answers).ToList();
        answers.Count.ShouldBe(lines, "every proposed line is answered");

        var shortage = shorts / (double)lines;
        var approval = answers.Count(a => a.Approve) / (double)lines;
        var noShow = harness.Sent.Select<CourierNoShow>().Take(Orders).Count() / (double)Orders;
        var rates = $"shortage {shortage:P1}, approval {approval:P1}, no-show {noShow:P1}";
        shortage.ShouldBe(_settings.ShortageRate, Tolerance, rates);
        approval.ShouldBe(_settings.ApprovalRate, Tolerance, rates);
        noShow.ShouldBe(_settings.CourierNoShowRate, Tolerance, rates);
    }

    /// <summary>Waits (up to a minute) until every order's message of this type has been consumed.</summary>
    private static async Task Consumed<T>(ITestHarness harness)
        where T : class
    {
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (harness.Consumed.Select<T>().Take(Orders).Count() < Orders)
        {
            if (DateTime.UtcNow > until)
            {
                throw new ShouldAssertException($"Fewer than {Orders} {typeof(T).Name} were consumed.");
            }

            await Task.Delay(50);
        }
    }

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
