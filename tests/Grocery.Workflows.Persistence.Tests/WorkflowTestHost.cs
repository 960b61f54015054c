using System.Diagnostics;
using Grocery.Workflows.Consumers;
using Grocery.Workflows.Consumers.Slots;
using Grocery.Workflows.Consumers.Stock;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Orders;
using Grocery.Workflows.Contracts.Slots;
using Grocery.Workflows.Contracts.Stock;
using Grocery.Workflows.Messaging;
using Grocery.Workflows.Messaging.Outbox;
using Grocery.Workflows.Persistence.Sagas;
using Grocery.Workflows.Persistence.Slots;
using Grocery.Workflows.Persistence.Stock;
using Grocery.Workflows.Sagas;
using Grocery.Workflows.Sagas.Orders;
using Grocery.Workflows.Sagas.Slots;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grocery.Workflows.Persistence.Tests;

/// <summary>
/// The engine's durable configuration in-process: the five sagas on the EF Core repository, the stock and slot
/// consumers, the transactional outbox and its dispatcher, on the in-memory transport and a real database.
/// </summary>
public sealed class WorkflowTestHost : IAsyncDisposable
{
    private readonly IHost _host;

    private WorkflowTestHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IBus Bus => Services.GetRequiredService<IBus>();

    public static async Task<WorkflowTestHost> Start(
        TestDatabase database,
        Action<IBusRegistrationConfigurator>? world = null,
        bool dispatcher = true,
        Action<IServiceCollection>? services = null,
        bool seed = false,
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<IInMemoryBusFactoryConfigurator>? bus = null)
    {
        // MassTransit keeps a process-wide log context; a host started after another one was disposed must not reuse it.
        LogContext.ConfigureCurrentLogContext(Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Persistence:Provider"] = database.Provider.ToString(),
            ["ConnectionStrings:Workflows"] = database.ConnectionString,
            ["Outbox:DispatcherEnabled"] = dispatcher.ToString(),
            ["Outbox:PollInterval"] = "00:00:00.100",
            // The demo catalogue (300,000 rows) only where a test asks for it.
            ["Seed:Enabled"] = seed.ToString(),
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        foreach (var saga in SagaCatalog.All)
        {
            builder.Services.AddSingleton(saga.SettingsType, saga.NewSettings());
        }

        builder.Services.AddSingleton(new OrderSagaSettings { StartPickingImmediately = true });
        builder.Services.AddSingleton(new Grocery.Workflows.Sagas.Delivery.DeliverySettings { DispatchImmediately = true });
        builder.Services.AddWorkflowPersistence(builder.Configuration);
        builder.Services.AddWorkflowMessaging<WorkflowDbContext>();
        services?.Invoke(builder.Services);
        builder.Services.AddMassTransit(x =>
        {
            x.AddDelayedMessageScheduler();
            x.UseDurableSagas();
            x.AddGrocerySagas();
            x.AddStockAndSlotConsumers();
            // Short steps: applied in the transaction of the transition that asks for them.
            x.ApplyShortSteps();
            world?.Invoke(x);
            x.UsingInMemory((context, cfg) =>
            {
                cfg.UseOutboxMessageScheduler();
                bus?.Invoke(cfg);
                cfg.UseTransactionalOutbox(context);
                cfg.ConfigureEndpoints(context);
            });
        });

        builder.Services.AddOutboxDispatcher();
        var host = builder.Build();
        await host.StartAsync();
        return new WorkflowTestHost(host);
    }

    /// <summary>Runs the work in its own scope and transaction, as a consumed message would.</summary>
    public async Task<T> InTransaction<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
        using var gate = await Services.GetRequiredService<WriteGate>().Enter(CancellationToken.None);
        await using var transaction = await db.Database.BeginTransactionAsync();
        var result = await work(scope.ServiceProvider);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return result;
    }

    public Task Receive(string storeId, string sku, decimal quantity) =>
        InTransaction(async sp =>
        {
            await sp.GetRequiredService<EfStockLedger>().Receive(storeId, sku, quantity, CancellationToken.None);
            return true;
        });

    /// <summary>
    /// What checkout (<c>PlaceOrderHandler</c>) commits for an order, through the same ports, in one transaction: the
    /// slot held, every line's stock reserved, <see cref="SlotHoldTaken"/> and the order in the outbox. The order's
    /// <see cref="OrderSubmitted.Slot"/> is filled in with the hold.
    /// </summary>
    public async Task<OrderSubmitted> Checkout(OrderSubmitted order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var placed = await InTransaction(async sp =>
        {
            var hold = await Hold(sp, order.OrderId, NewId.NextGuid(), order.StoreId, order.SlotId);
            var lines = order.Lines.Select(l => new StockLine(l.Sku, l.Quantity)).ToList();
            (await sp.GetRequiredService<IStockLedger>().Reserve(order.OrderId, order.StoreId, lines, CancellationToken.None)).ShouldBeEmpty();
            var submitted = order with { Slot = hold };
            sp.GetRequiredService<OutboxWriter>().Publish(submitted);
            return submitted;
        });
        Services.GetRequiredService<OutboxSignal>().Notify();
        return placed;
    }

    /// <summary>Checkout's slot hold alone: the slot store's hold and <see cref="SlotHoldTaken"/>, committed together.</summary>
    public async Task<HeldSlot> HoldSlot(Guid orderId, Guid reservationId, string storeId, Guid slotId)
    {
        var hold = await InTransaction(sp => Hold(sp, orderId, reservationId, storeId, slotId));
        Services.GetRequiredService<OutboxSignal>().Notify();
        return hold;
    }

    private static async Task<HeldSlot> Hold(IServiceProvider services, Guid orderId, Guid reservationId, string storeId, Guid slotId)
    {
        var held = await services.GetRequiredService<ISlotCapacity>().Hold(orderId, reservationId, storeId, slotId, CancellationToken.None);
        held.Held.ShouldBeTrue(held.Reason);
        var hold = new HeldSlot(reservationId, held.WindowStart, held.WindowEnd, held.CutOffAt,
            DateTimeOffset.UtcNow + services.GetRequiredService<SlotReservationSettings>().HoldDuration);
        services.GetRequiredService<OutboxWriter>().Publish(new SlotHoldTaken(orderId, hold, storeId, slotId));
        return hold;
    }

    public Task AddSlot(Guid slotId, string storeId, int capacity, DateTimeOffset windowStart) =>
        InTransaction(sp =>
        {
            sp.GetRequiredService<WorkflowDbContext>().DeliverySlots.Add(new DeliverySlot
            {
                SlotId = slotId, StoreId = storeId, Capacity = capacity,
                WindowStart = windowStart, WindowEnd = windowStart.AddHours(1), CutOffAt = windowStart.AddHours(-2),
            });
            return Task.FromResult(true);
        });

    public async Task<T> Query<T>(Func<WorkflowDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<WorkflowDbContext>());
    }

    /// <summary>Polls the database until the condition holds (20 s at most).</summary>
    [AssertionMethod]
    public async Task<T> Eventually<T>(Func<WorkflowDbContext, Task<T>> query, Func<T, bool> done, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await Query(query);
            if (done(value))
            {
                return value;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new ShouldAssertException($"Timed out waiting for {what}; last value: {value}");
            }

            await Task.Delay(50);
        }
    }

    public Task<string?> SagaState<TSaga>(Guid correlationId)
        where TSaga : class, IGrocerySagaState =>
        Query(db => db.Set<TSaga>().AsNoTracking().Where(x => x.CorrelationId == correlationId).Select(x => x.CurrentState).SingleOrDefaultAsync());

    [AssertionMethod]
    public Task<TSaga> SagaInState<TSaga>(Guid correlationId, string state)
        where TSaga : class, IGrocerySagaState =>
        Eventually(db => db.Set<TSaga>().AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == correlationId),
            saga => saga?.CurrentState == state, $"{typeof(TSaga).Name} {correlationId} in {state}")!;

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
