using Grocery.Workflows.Contracts.Slots;
using Grocery.Workflows.Sagas;
using Grocery.Workflows.Sagas.Slots;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Persistence.Tests;

public sealed class SqliteDurableDeadlineTests() : DurableDeadlineTests(new SqliteTestDatabase());

public sealed class PostgresDurableDeadlineTests() : DurableDeadlineTests(new PostgresTestDatabase());

/// <summary>Saga deadlines scheduled inside a transition are outbox rows with a due time, delivered when due.</summary>
public abstract class DurableDeadlineTests(TestDatabase database) : IAsyncLifetime
{
    private const string Store = "hcm-01";
    private static readonly Guid SlotId = Guid.Parse("5a1e0000-0000-0000-0000-0000000000bb");
    private readonly Guid _orderId = Guid.NewGuid();
    private readonly Guid _reservationId = Guid.NewGuid();

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    private Task<WorkflowTestHost> Start() => WorkflowTestHost.Start(database,
        services: s => s.AddSingleton(new SlotReservationSettings { HoldDuration = TimeSpan.FromMilliseconds(600) }));

    [Fact]
    public async Task A_hold_deadline_is_a_due_outbox_row_that_expires_the_hold_and_gives_the_capacity_back()
    {
        await using var host = await Start();
        await host.AddSlot(SlotId, Store, capacity: 5, DateTimeOffset.UtcNow.AddHours(6));

        await host.HoldSlot(_orderId, _reservationId, Store, SlotId);

        // Held lasts 600 ms: waiting to see it as the current state would race the deadline; the timeline keeps it.
        await host.SagaInState<SlotReservationState>(_reservationId, "Expired");
        (await host.Query(db => db.Timeline.Where(t => t.CorrelationId == _reservationId).OrderBy(t => t.Id).Select(t => t.FromState + ">" + t.ToState).ToListAsync()))
            .ShouldBe(["Initial>Held", "Held>Expired"]);
        await host.Eventually(db => db.DeliverySlots.AsNoTracking().Where(s => s.SlotId == SlotId).Select(s => s.Held).SingleAsync(),
            held => held == 0, "the expired hold's place given back");
    }

    [Fact]
    public async Task An_unscheduled_deadline_is_deleted_with_the_transition_that_cancels_it()
    {
        await using var host = await WorkflowTestHost.Start(database);
        await host.AddSlot(SlotId, Store, capacity: 5, DateTimeOffset.UtcNow.AddHours(6));
        await host.HoldSlot(_orderId, _reservationId, Store, SlotId);
        await host.SagaInState<SlotReservationState>(_reservationId, "Held");
        var deadline = typeof(SlotHoldTimeout).FullName!;
        (await host.Query(db => db.Outbox.CountAsync(o => o.MessageType.StartsWith(deadline)))).ShouldBe(1, "the hold's deadline waits in the outbox");

        await host.Bus.Publish(new ConfirmSlot(_orderId, _reservationId));
        await host.SagaInState<SlotReservationState>(_reservationId, "Confirmed");

        await host.Eventually(db => db.Outbox.CountAsync(o => o.MessageType.StartsWith(deadline)), n => n == 0, "the cancelled deadline's row deleted");
    }

    [Fact]
    public async Task A_deadline_that_fires_after_its_state_moved_on_changes_nothing()
    {
        // The default hold (minutes), so that the real deadline cannot fire before ConfirmSlot on a slow machine.
        await using var host = await WorkflowTestHost.Start(database);
        await host.AddSlot(SlotId, Store, capacity: 5, DateTimeOffset.UtcNow.AddHours(6));
        await host.HoldSlot(_orderId, _reservationId, Store, SlotId);
        await host.SagaInState<SlotReservationState>(_reservationId, "Held");
        await host.Bus.Publish(new ConfirmSlot(_orderId, _reservationId));
        await host.SagaInState<SlotReservationState>(_reservationId, "Confirmed");

        // A late deadline (sent before its row was deleted, or twice) arrives after the state moved on.
        await host.Bus.Publish(new SlotHoldTimeout(_orderId, _reservationId));
        await host.Bus.Publish(new SlotHoldTimeout(_orderId, _reservationId));
        // SlotHoldTaken, ConfirmSlot and the two stale SlotHoldTimeouts: four messages consumed by the saga.
        await host.Eventually(db => db.Inbox.CountAsync(i => i.Consumer == nameof(SlotReservationState)), n => n == 4, "the stale deadlines consumed");

        (await host.SagaState<SlotReservationState>(_reservationId)).ShouldBe("Confirmed");
        // The slot's counters move when the capacity consumer handles the saga's confirmation, a message later.
        await host.Eventually(db => db.DeliverySlots.AsNoTracking().Where(s => s.SlotId == SlotId).Select(s => s.Held * 10 + s.Confirmed).SingleAsync(),
            n => n == 1, "the slot confirmed once and held no more");
    }
}
