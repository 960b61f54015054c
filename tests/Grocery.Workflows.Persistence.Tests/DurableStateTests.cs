using System.Collections.Concurrent;
using Grocery.Workflows.Consumers.Slots;
using Grocery.Workflows.Consumers.Stock;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Orders;
using Grocery.Workflows.Contracts.Payments;
using Grocery.Workflows.Contracts.Slots;
using Grocery.Workflows.Contracts.Stock;
using Grocery.Workflows.Contracts.Substitutions;
using Grocery.Workflows.Messaging.Inbox;
using Grocery.Workflows.Messaging.Outbox;
using Grocery.Workflows.Persistence.Payments;
using Grocery.Workflows.Persistence.Stock;
using Grocery.Workflows.Sagas.Orders;
using Grocery.Workflows.Sagas.Picking;
using Grocery.Workflows.Sagas.Slots;
using Grocery.Workflows.Sagas.Substitutions;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Persistence.Tests;

public sealed class SqliteDurableStateTests() : DurableStateTests(new SqliteTestDatabase());

public sealed class PostgresDurableStateTests() : DurableStateTests(new PostgresTestDatabase());

/// <summary>The durable saga repository, outbox, inbox, timeline, stock ledger and slot capacity, on each provider.</summary>
public abstract class DurableStateTests(TestDatabase database) : IAsyncLifetime
{
    private const string Store = "hcm-01";
    private static readonly Guid SlotId = Guid.Parse("5a1e0000-0000-0000-0000-0000000000aa");
    private readonly Guid _orderId = Guid.NewGuid();

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    private OrderSubmitted Order(Guid? orderId = null) => TestOrders.Submitted(orderId ?? _orderId, Store, SlotId);

    private static async Task Seed(WorkflowTestHost host, int slotCapacity = 10)
    {
        await host.Receive(Store, "MILK-1L", 50);
        await host.Receive(Store, "BANANA", 20);
        await host.AddSlot(SlotId, Store, slotCapacity, DateTimeOffset.UtcNow.AddHours(6));
    }

    [Fact]
    public async Task A_completed_order_has_every_transition_of_all_five_machines_in_the_timeline_in_order()
    {
        await using var host = await WorkflowTestHost.Start(database, TestWorld.AddTo);
        await Seed(host);

        await host.Checkout(Order());

        await host.SagaInState<OrderState>(_orderId, "Completed");
        var timeline = await host.Query(db => db.Timeline.AsNoTracking().Where(t => t.OrderId == _orderId).OrderBy(t => t.Id).ToListAsync());
        timeline.Where(t => t.SagaType == "Order").Select(t => t.ToState).ShouldBe(
        [
            "AwaitingPayment", "AwaitingSlotConfirmation", "Confirmed", "Picking",
            "AwaitingCapture", "ReadyForHandoff", "OutForDelivery", "Completed",
        ], string.Join(" | ", timeline.Select(t => $"{t.SagaType}:{t.FromState}->{t.ToState}@{t.Event}")));
        timeline.Where(t => t.SagaType == "Order").Select(t => t.FromState).First().ShouldBe("Initial");
        timeline.Select(t => t.SagaType).Distinct().Order().ShouldBe(["DeliveryHandoff", "Order", "Picking", "SlotReservation"]);
        timeline.ShouldAllBe(t => t.Event != "" && t.MessageId != null && t.HostInstance != "");
        // Each machine's steps are serialised on its row, so each saga's steps are in time order. Across machines the
        // order is causal except for checkout's first two steps, which two consumers take at once (ids are given at
        // insert, not at commit, so those two may be a few microseconds apart the other way round).
        foreach (var saga in timeline.GroupBy(t => t.SagaType))
        {
            saga.Select(t => t.At).ShouldBeInOrder(SortDirection.Ascending, saga.Key);
        }

        timeline.Skip(2).Select(t => t.At).ShouldBeInOrder();

        var milk = await host.Query(db => db.StockBalances.AsNoTracking().SingleAsync(b => b.StoreId == Store && b.Sku == "MILK-1L"));
        (milk.OnHandMilli, milk.ReservedMilli).ShouldBe((48_000L, 0L));
        var slot = await host.Query(db => db.DeliverySlots.AsNoTracking().SingleAsync(s => s.SlotId == SlotId));
        (slot.Held, slot.Confirmed).ShouldBe((0, 1));
        // What is left are deadlines that have not fallen due (hold expiry and the like); nothing due is undelivered.
        var now = DateTimeOffset.UtcNow;
        (await host.Eventually(db => db.Outbox.CountAsync(o => o.DueAt <= now), n => n == 0, "no due outbox rows")).ShouldBe(0);

        // The capacity was confirmed and the picked stock taken (above) in the transitions that asked for them: the
        // short steps never travelled, so their consumers never received a message.
        var consumers = await host.Query(db => db.Inbox.AsNoTracking().Select(i => i.Consumer).Distinct().ToListAsync());
        consumers.ShouldContain(nameof(OrderState));
        consumers.ShouldNotContain(nameof(ConfirmSlotCapacityConsumer));
        consumers.ShouldNotContain(nameof(CommitPickedStockConsumer));

        // The sagas' messages to each other were applied in the transactions that sent them as well: what was consumed
        // is what came from outside (the payment provider, the picker, the courier) and what goes to it, 14 messages.
        var consumed = await host.Query(db => db.Inbox.AsNoTracking().GroupBy(i => i.Consumer).Select(g => new { g.Key, Count = g.Count() }).ToListAsync());
        consumed.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Count}").ShouldBe(
        [
            "Courier=1", // DispatchCourier
            "DeliveryState=3", // CourierAccepted, ParcelPickedUp, ParcelDelivered (not ArrangeDelivery)
            "OrderState=3", // OrderSubmitted, PaymentAuthorized, PaymentCaptured (not SlotConfirmed, PickingStarted, PickingCompleted, DeliveryHandedOff, DeliveryCompleted)
            "Payments=2", // AuthorizePayment, CapturePayment
            "Picker=1", // PickingQueued
            "PickingState=3", // PickerAssigned, PickerStarted, PickListReported (not StartPicking)
            "SlotReservationState=1", // SlotHoldTaken (not ConfirmSlot)
        ]);
    }

    [Fact]
    public async Task A_message_committed_but_not_delivered_before_a_crash_is_delivered_after_restart()
    {
        Guid reservationId;
        await using (var crashed = await WorkflowTestHost.Start(database, dispatcher: false))
        {
            await Seed(crashed);
            reservationId = (await crashed.Checkout(Order())).Slot.ReservationId;
            var pending = await crashed.Query(db => db.Outbox.AsNoTracking().OrderBy(o => o.Id).Select(o => o.MessageType).ToListAsync());
            pending.Count.ShouldBe(2, "checkout's two rows, undelivered");
            pending[0].ShouldStartWith(typeof(SlotHoldTaken).FullName!);
            pending[1].ShouldStartWith(typeof(OrderSubmitted).FullName!);
        }

        await using var restarted = await WorkflowTestHost.Start(database);

        await restarted.SagaInState<SlotReservationState>(reservationId, "Held");
        await restarted.SagaInState<OrderState>(_orderId, "AwaitingPayment");
    }

    [Fact]
    public async Task A_send_the_transport_never_confirms_is_abandoned_and_sent_again()
    {
        var stuck = 0;
        await using var host = await WorkflowTestHost.Start(database,
            settings: new Dictionary<string, string?> { ["Outbox:SendTimeout"] = "00:00:00.300" },
            // The first SlotHoldTaken send waits for ever and ignores its token, as a publish in flight during a broker restart can.
            bus: cfg => cfg.ConfigureSend(send => send.UseExecuteAsync(context =>
                context is SendContext<SlotHoldTaken> && Interlocked.Exchange(ref stuck, 1) == 0 ? new TaskCompletionSource().Task : Task.CompletedTask)));
        await Seed(host);

        var placed = await host.Checkout(Order());

        await host.SagaInState<SlotReservationState>(placed.Slot.ReservationId, "Held");
        await host.SagaInState<OrderState>(_orderId, "AwaitingPayment");
        stuck.ShouldBe(1);
    }

    [Fact]
    public async Task A_redelivered_message_sends_its_saga_steps_instead_of_applying_them()
    {
        // No payment provider in this world: the order waits in AwaitingPayment for the test's PaymentAuthorized.
        await using var host = await WorkflowTestHost.Start(database);
        await Seed(host);
        var placed = await host.Checkout(Order());
        await host.SagaInState<OrderState>(_orderId, "AwaitingPayment");
        await host.SagaInState<SlotReservationState>(placed.Slot.ReservationId, "Held");

        // Marked as a redelivery: ConfirmSlot travels to the slot saga's endpoint instead of being applied inline. That
        // endpoint consumes it on its first attempt and applies its own steps (SlotConfirmed, then StartPicking).
        await host.Bus.Publish(new PaymentAuthorized(_orderId, "auth-1", new Money(110_000, "VND")),
            ctx => ctx.Headers.Set(MessageHeaders.RedeliveryCount, 1));

        await host.SagaInState<OrderState>(_orderId, "Confirmed");
        await host.SagaInState<PickingState>(_orderId, "Queued");
        var consumed = await host.Query(db => db.Inbox.AsNoTracking().GroupBy(i => i.Consumer).Select(g => new { g.Key, Count = g.Count() }).ToListAsync());
        consumed.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Count}").ShouldBe(
        [
            "OrderState=2", // OrderSubmitted, PaymentAuthorized
            "SlotReservationState=2", // SlotHoldTaken, ConfirmSlot (sent, not applied)
        ]);
    }

    [Fact]
    public async Task A_redelivered_message_is_applied_once()
    {
        var consumed = new ConcurrentBag<string>();
        var before = DateTimeOffset.UtcNow;
        await using var host = await WorkflowTestHost.Start(database);
        await Seed(host);
        host.Bus.ConnectReceiveObserver(new ConsumedCounter<ReturnStock>(consumed));
        var messageId = NewId.NextGuid();
        var returned = new ReturnStock(_orderId, Store, [new StockLine("MILK-1L", 3)]);

        await host.Bus.Publish(returned, ctx => ctx.MessageId = messageId);
        await host.Bus.Publish(returned, ctx => ctx.MessageId = messageId);

        // The inbox acknowledges the duplicate under the consumer's short name. (On PostgreSQL both deliveries may
        // race: the loser fails on the inbox key, is retried, and then finds the row: the same outcome.)
        await host.Eventually(_ => Task.FromResult(consumed.Contains(nameof(ReturnStockConsumer))), seen => seen, "the duplicate acknowledged by the inbox");
        var milk = await host.Query(db => db.StockBalances.AsNoTracking().SingleAsync(b => b.Sku == "MILK-1L"));
        milk.OnHandMilli.ShouldBe(53_000);
        (await host.Query(db => db.StockLedger.CountAsync(l => l.OrderId == _orderId && l.Movement == StockMovement.Received))).ShouldBe(1);
        (await host.Query(db => db.Inbox.CountAsync(i => i.MessageId == messageId))).ShouldBe(1);
        // Written by hand (INSERT ... ON CONFLICT): the time is stored as the model stores it, so the cleaner's age filter reads it.
        var after = DateTimeOffset.UtcNow;
        (await host.Query(db => db.Inbox.CountAsync(i => i.MessageId == messageId && i.ReceivedAt >= before && i.ReceivedAt <= after))).ShouldBe(1);
    }

    [Fact]
    public async Task Inbox_and_provider_event_rows_past_their_retention_are_deleted_and_younger_ones_kept()
    {
        await using var host = await WorkflowTestHost.Start(database, dispatcher: false);
        var now = DateTimeOffset.UtcNow;
        await host.InTransaction(sp =>
        {
            sp.GetRequiredService<WorkflowDbContext>().Inbox.AddRange(
                new InboxMessage { MessageId = Guid.NewGuid(), Consumer = "old", ReceivedAt = now.AddDays(-8) },
                new InboxMessage { MessageId = Guid.NewGuid(), Consumer = "old", ReceivedAt = now.AddDays(-7).AddMinutes(-1) },
                new InboxMessage { MessageId = Guid.NewGuid(), Consumer = "young", ReceivedAt = now.AddDays(-6) });
            sp.GetRequiredService<WorkflowDbContext>().ProviderEvents.AddRange(
                new ProviderEvent { Provider = "stripe", EventId = "evt_old", EventType = "charge.refunded", ReceivedAt = now.AddDays(-8) },
                new ProviderEvent { Provider = "stripe", EventId = "evt_young", EventType = "charge.refunded", ReceivedAt = now.AddDays(-1) });
            return Task.FromResult(true);
        });

        (await host.Services.GetRequiredService<InboxCleaner>().Clean(CancellationToken.None)).ShouldBe(3);

        (await host.Query(db => db.Inbox.Select(i => i.Consumer).ToListAsync())).ShouldBe(["young"]);
        (await host.Query(db => db.ProviderEvents.Select(e => e.EventId).ToListAsync())).ShouldBe(["evt_young"]);
    }

    [Fact]
    public async Task A_transition_that_fails_to_commit_leaves_no_state_no_message_and_no_timeline_row()
    {
        var faulted = new TaskCompletionSource();
        await using var host = await WorkflowTestHost.Start(database,
            world: x => x.AddConsumer<FaultWatcher>(),
            services: s =>
            {
                s.AddSingleton<IInterceptor>(new FailOnOutboxMessage(nameof(AuthorizePayment)));
                s.AddSingleton(faulted);
            });
        await Seed(host);

        await host.Bus.Publish(Order());

        await faulted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        (await host.SagaState<OrderState>(_orderId)).ShouldBeNull();
        (await host.Query(db => db.Timeline.CountAsync(t => t.OrderId == _orderId))).ShouldBe(0);
        (await host.Query(db => db.Outbox.CountAsync())).ShouldBe(0);
        (await host.Query(db => db.Inbox.CountAsync(i => i.Consumer == nameof(OrderState)))).ShouldBe(0);
        (await host.Query(db => db.Set<SlotReservationState>().CountAsync())).ShouldBe(0);
    }

    [Fact]
    public async Task Concurrent_answers_to_one_instance_are_both_applied()
    {
        await using var host = await WorkflowTestHost.Start(database);
        var substitute = new OrderLine("OAT-1L", "Oat drink", SaleUnit.Each, 1, 30_000);
        var rounds = Enumerable.Range(0, 12).Select(_ => NewId.NextGuid()).ToList();
        foreach (var round in rounds)
        {
            await host.Bus.Publish(new ProposeSubstitutions(_orderId, round, SubstitutionPreference.Refund,
                [new ShortLine("MILK-1L", "Milk", 1, substitute), new ShortLine("BANANA", "Bananas", 1, substitute)]));
        }

        foreach (var round in rounds)
        {
            await host.SagaInState<SubstitutionState>(round, "AwaitingCustomerDecision");
        }

        await Task.WhenAll(rounds.SelectMany(round => new[]
        {
            host.Bus.Publish(new AnswerSubstitutions(_orderId, round, [new CustomerAnswer("MILK-1L", true)])),
            host.Bus.Publish(new AnswerSubstitutions(_orderId, round, [new CustomerAnswer("BANANA", false)])),
        }));

        foreach (var round in rounds)
        {
            var decided = await host.SagaInState<SubstitutionState>(round, "Decided");
            decided.Decisions.Select(d => (d.Sku, d.Outcome)).Order().ShouldBe(
                [("BANANA", SubstitutionOutcome.Rejected), ("MILK-1L", SubstitutionOutcome.Accepted)]);
            decided.Version.ShouldBe(3);
        }
    }

    [Fact]
    public async Task A_thousand_parallel_reservations_never_oversell_a_hundred_units()
    {
        await using var host = await WorkflowTestHost.Start(database);
        await host.Receive(Store, "EGGS-10", 100);

        // 32 at a time, as many as an endpoint consumes concurrently (and within PostgreSQL's connection limit).
        using var lanes = new SemaphoreSlim(32);
        var results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => Task.Run(async () =>
        {
            await lanes.WaitAsync();
            try
            {
                return await ReserveWithRetry(host);
            }
            finally
            {
                lanes.Release();
            }
        })));

        results.Count(reserved => reserved).ShouldBe(100);
        var eggs = await host.Query(db => db.StockBalances.AsNoTracking().SingleAsync(b => b.Sku == "EGGS-10"));
        (eggs.OnHandMilli, eggs.ReservedMilli).ShouldBe((100_000L, 100_000L));
        (await host.Query(db => db.StockLedger.CountAsync(l => l.Sku == "EGGS-10" && l.Movement == StockMovement.Reserved))).ShouldBe(100);
    }

    [Fact]
    public async Task Two_hundred_concurrent_holds_on_twenty_places_hold_exactly_twenty()
    {
        await using var host = await WorkflowTestHost.Start(database);
        await host.AddSlot(SlotId, Store, capacity: 20, DateTimeOffset.UtcNow.AddHours(6));

        using var lanes = new SemaphoreSlim(32);
        var holds = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(async () =>
        {
            await lanes.WaitAsync();
            try
            {
                return await host.InTransaction(sp =>
                    sp.GetRequiredService<ISlotCapacity>().Hold(Guid.NewGuid(), Guid.NewGuid(), Store, SlotId, CancellationToken.None));
            }
            finally
            {
                lanes.Release();
            }
        })));

        holds.Count(h => h.Held).ShouldBe(20);
        holds.Where(h => !h.Held).ShouldAllBe(h => h.Reason == "The slot is full");
        var slot = await host.Query(db => db.DeliverySlots.AsNoTracking().SingleAsync(s => s.SlotId == SlotId));
        (slot.Held, slot.Confirmed).ShouldBe((20, 0));
        (await host.Query(db => db.SlotHolds.CountAsync())).ShouldBe(20);
    }

    [Fact]
    public async Task Racing_confirm_and_release_of_one_hold_move_its_place_once()
    {
        await using var host = await WorkflowTestHost.Start(database);
        await host.AddSlot(SlotId, Store, capacity: 30, DateTimeOffset.UtcNow.AddHours(6));
        var holds = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToList();
        foreach (var reservation in holds)
        {
            await host.InTransaction(sp => sp.GetRequiredService<ISlotCapacity>().Hold(Guid.NewGuid(), reservation, Store, SlotId, CancellationToken.None));
        }

        await Task.WhenAll(holds.SelectMany(reservation => new[]
        {
            Task.Run(() => host.InTransaction(async sp =>
            {
                await sp.GetRequiredService<ISlotCapacity>().Confirm(reservation, CancellationToken.None);
                return true;
            })),
            Task.Run(() => host.InTransaction(async sp =>
            {
                await sp.GetRequiredService<ISlotCapacity>().Release(reservation, CancellationToken.None);
                return true;
            })),
        }));

        var slot = await host.Query(db => db.DeliverySlots.AsNoTracking().SingleAsync(s => s.SlotId == SlotId));
        (slot.Held, slot.Confirmed).ShouldBe((0, 0));
        (await host.Query(db => db.SlotHolds.CountAsync(h => h.Status != Grocery.Workflows.Persistence.Slots.SlotHoldStatus.Released))).ShouldBe(0);
    }

    [Fact]
    public async Task Released_and_picked_stock_settles_the_reservation_exactly()
    {
        await using var host = await WorkflowTestHost.Start(database);
        await host.Receive(Store, "BANANA", 10);
        await host.Receive(Store, "OAT-1L", 5);
        var other = Guid.NewGuid();

        await host.InTransaction(sp => sp.GetRequiredService<IStockLedger>().Reserve(_orderId, Store, [new StockLine("BANANA", 1.2m)], CancellationToken.None));
        await host.InTransaction(sp => sp.GetRequiredService<IStockLedger>().Reserve(other, Store, [new StockLine("BANANA", 2)], CancellationToken.None));
        await host.InTransaction(async sp =>
        {
            await sp.GetRequiredService<IStockLedger>().CommitPicked(_orderId, Store,
                [new StockLine("BANANA", 1.15m), new StockLine("OAT-1L", 1)], CancellationToken.None);
            return true;
        });
        await host.InTransaction(async sp =>
        {
            await sp.GetRequiredService<IStockLedger>().Release(other, CancellationToken.None);
            return true;
        });

        var bananas = await host.Query(db => db.StockBalances.AsNoTracking().SingleAsync(b => b.Sku == "BANANA"));
        (bananas.OnHandMilli, bananas.ReservedMilli).ShouldBe((8_850L, 0L));
        var oats = await host.Query(db => db.StockBalances.AsNoTracking().SingleAsync(b => b.Sku == "OAT-1L"));
        oats.OnHandMilli.ShouldBe(4_000);
        (await host.Query(db => db.StockReservations.CountAsync())).ShouldBe(0);
        var ledger = await host.Query(db => db.StockLedger.AsNoTracking().Where(l => l.Sku == "BANANA").OrderBy(l => l.Id).Select(l => new { l.Movement, l.QuantityMilli }).ToListAsync());
        ledger.Select(l => (l.Movement, l.QuantityMilli)).ShouldBe(
        [
            (StockMovement.Received, 10_000L), (StockMovement.Reserved, 1_200L), (StockMovement.Reserved, 2_000L),
            (StockMovement.Picked, 1_150L), (StockMovement.Released, 1_200L), (StockMovement.Released, 2_000L),
        ]);
    }

    private static async Task<bool> ReserveWithRetry(WorkflowTestHost host)
    {
        var attempt = 1;
        while (true)
        {
            try
            {
                var shortSkus = await host.InTransaction(sp =>
                    sp.GetRequiredService<IStockLedger>().Reserve(Guid.NewGuid(), Store, [new StockLine("EGGS-10", 1)], CancellationToken.None));
                return shortSkus.Count == 0;
            }
            catch (Exception) when (attempt < 20)
            {
                // PostgreSQL may abort one of two transactions that wait on each other; the engine retries the same way.
                attempt++;
            }
        }
    }

    /// <summary>Records who reported a message consumed: the consumer itself, or the inbox (short name) for a duplicate.</summary>
    private sealed class ConsumedCounter<T>(ConcurrentBag<string> consumed) : IReceiveObserver
        where T : class
    {
        public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

        public Task PostReceive(ReceiveContext context) => Task.CompletedTask;

        public Task PostConsume<TMessage>(ConsumeContext<TMessage> context, TimeSpan duration, string consumerType)
            where TMessage : class
        {
            if (context.Message is T)
            {
                consumed.Add(consumerType);
            }

            return Task.CompletedTask;
        }

        public Task ConsumeFault<TMessage>(ConsumeContext<TMessage> context, TimeSpan duration, string consumerType, Exception exception)
            where TMessage : class => Task.CompletedTask;

        public Task ReceiveFault(ReceiveContext context, Exception exception) => Task.CompletedTask;
    }

    private sealed class FaultWatcher(TaskCompletionSource faulted) : IConsumer<Fault<OrderSubmitted>>
    {
        public Task Consume(ConsumeContext<Fault<OrderSubmitted>> context)
        {
            faulted.TrySetResult();
            return Task.CompletedTask;
        }
    }

    /// <summary>Makes every save that carries an outbox row of the given message type fail, as a lost connection would.</summary>
    private sealed class FailOnOutboxMessage(string messageType) : SaveChangesInterceptor
    {
        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            if (eventData.Context!.ChangeTracker.Entries<OutboxMessage>().Any(e => e.Entity.MessageType.Contains($".{messageType},", StringComparison.Ordinal)))
            {
                throw new InvalidOperationException("Simulated failure while saving the transition");
            }

            return base.SavingChangesAsync(eventData, result, cancellationToken);
        }
    }
}
