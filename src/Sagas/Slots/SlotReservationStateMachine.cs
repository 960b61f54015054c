using Grocery.Workflows.Contracts.Slots;
using MassTransit;

namespace Grocery.Workflows.Sagas.Slots;

/// <summary>
/// Owns a delivery slot's hold for an order. The hold is taken at checkout (the slot store counts it against capacity
/// in the order's own transaction), so the saga starts in <c>Held</c>: the hold lapses at its expiry
/// (<see cref="SlotReservationSettings.HoldDuration"/> after checkout) unless the order confirms it before the window's
/// cut-off, it can be extended once while the slot still has room, and every release gives the capacity back.
/// </summary>
public sealed class SlotReservationStateMachine : MassTransitStateMachine<SlotReservationState>
{
    /// <summary>The slot reservation saga as the engine sees it: its name, table, settings and the states it rests in when done.</summary>
    public static SagaDescriptor Saga { get; } = SagaDescriptor.Of<SlotReservationStateMachine, SlotReservationState, SlotReservationSettings>(
        "SlotReservation", table: "slot_reservation_sagas", settingsSection: "Sagas:SlotReservation", nameof(Confirmed), nameof(Expired), nameof(Released));

    public SlotReservationStateMachine(SlotReservationSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);

        InstanceState(x => x.CurrentState);

        Event(() => SlotHoldTaken, x => x.CorrelateById(m => m.Message.ReservationId));
        Event(() => ExtendSlotHold, x => x.CorrelateById(m => m.Message.ReservationId));
        Event(() => SlotCapacityHoldExtended, x => x.CorrelateById(m => m.Message.ReservationId));
        Event(() => SlotCapacityHoldExtensionRefused, x => x.CorrelateById(m => m.Message.ReservationId));
        Event(() => ConfirmSlot, x => x.CorrelateById(m => m.Message.ReservationId));
        Event(() => ReleaseSlot, x => x.CorrelateById(m => m.Message.ReservationId));

        Schedule(() => HoldExpiration, x => x.HoldExpirationToken, s =>
        {
            s.Delay = settings.HoldDuration;
            s.Received = r => r.CorrelateById(m => m.Message.ReservationId);
        });

        Initially(
            When(SlotHoldTaken)
                .Then(ctx => ctx.Saga.Take(ctx.Message))
                .Schedule(HoldExpiration, ctx => new SlotHoldTimeout(ctx.Saga.OrderId, ctx.Saga.CorrelationId),
                    ctx => Remaining(ctx.Saga.HoldExpiresAt!.Value, time))
                .TransitionTo(Held),
            // The release overtook the hold (the order gave up before this saga heard of its hold): the hold, when
            // it comes, finds a released reservation and gives its capacity back.
            When(ReleaseSlot)
                .Then(ctx => ctx.Saga.OrderId = ctx.Message.OrderId)
                .TransitionTo(Released),
            // The confirmation overtook the hold: checkout commits both the hold and the order, and their events travel
            // to different queues, so the order can be paid for before this saga has heard of its hold (an instance
            // killed with SlotHoldTaken in hand, say). The hold, when it comes, is confirmed at once.
            When(ConfirmSlot)
                .Then(ctx => ctx.Saga.OrderId = ctx.Message.OrderId)
                .TransitionTo(AwaitingHold));

        During(AwaitingHold,
            When(SlotHoldTaken)
                .Then(ctx => ctx.Saga.Take(ctx.Message))
                .Confirm(this, time),
            When(ReleaseSlot)
                .TransitionTo(Released));

        During(Held,
            When(ExtendSlotHold)
                .IfElse(ctx => ctx.Saga.Extensions > 0 || ctx.Saga.ExtensionPending,
                    refused => refused.Publish(ctx => new SlotHoldExtensionRefused(ctx.Saga.OrderId, ctx.Saga.CorrelationId,
                        "The hold can be extended only once.")),
                    ask => ask
                        .Then(ctx => ctx.Saga.ExtensionPending = true)
                        .Publish(ctx => new ExtendSlotCapacityHold(ctx.Saga.OrderId, ctx.Saga.CorrelationId, ctx.Saga.SlotId))),
            When(SlotCapacityHoldExtended, ctx => ctx.Saga.ExtensionPending)
                .Then(ctx =>
                {
                    ctx.Saga.ExtensionPending = false;
                    ctx.Saga.Extensions++;
                    ctx.Saga.HoldExpiresAt += settings.ExtensionDuration;
                })
                .Schedule(HoldExpiration, ctx => new SlotHoldTimeout(ctx.Saga.OrderId, ctx.Saga.CorrelationId),
                    ctx => Remaining(ctx.Saga.HoldExpiresAt!.Value, time))
                .Publish(ctx => new SlotHoldExtended(ctx.Saga.OrderId, ctx.Saga.CorrelationId, ctx.Saga.HoldExpiresAt!.Value)),
            When(SlotCapacityHoldExtensionRefused, ctx => ctx.Saga.ExtensionPending)
                .Then(ctx => ctx.Saga.ExtensionPending = false)
                .Publish(ctx => new SlotHoldExtensionRefused(ctx.Saga.OrderId, ctx.Saga.CorrelationId, ctx.Message.Reason)),
            When(ConfirmSlot)
                .Unschedule(HoldExpiration)
                .Confirm(this, time),
            When(HoldExpiration!.Received)
                .GiveCapacityBack()
                .Publish(ctx => new SlotHoldExpired(ctx.Saga.OrderId, ctx.Saga.CorrelationId, ctx.Saga.SlotId))
                .TransitionTo(Expired),
            When(ReleaseSlot)
                .Unschedule(HoldExpiration)
                .GiveCapacityBack()
                .Publish(ctx => new SlotReleased(ctx.Saga.OrderId, ctx.Saga.CorrelationId, ctx.Saga.SlotId))
                .TransitionTo(Released));

        During(Confirmed,
            When(ReleaseSlot)
                .GiveCapacityBack()
                .Publish(ctx => new SlotReleased(ctx.Saga.OrderId, ctx.Saga.CorrelationId, ctx.Saga.SlotId))
                .TransitionTo(Released));

        // Released before the hold reached this saga: the capacity taken at checkout goes back.
        During(Released,
            When(SlotHoldTaken)
                .Publish(ctx => new ReleaseSlotCapacity(ctx.Message.OrderId, ctx.Message.ReservationId, ctx.Message.SlotId)));

        // A duplicate, a late answer or anything for a finished reservation changes nothing.
        OnUnhandledEvent(ctx => ctx.Ignore());
    }

    public State AwaitingHold { get; private set; } = null!;
    public State Held { get; private set; } = null!;
    public State Confirmed { get; private set; } = null!;
    public State Expired { get; private set; } = null!;
    public State Released { get; private set; } = null!;

    public Event<SlotHoldTaken> SlotHoldTaken { get; private set; } = null!;
    public Event<ExtendSlotHold> ExtendSlotHold { get; private set; } = null!;
    public Event<SlotCapacityHoldExtended> SlotCapacityHoldExtended { get; private set; } = null!;
    public Event<SlotCapacityHoldExtensionRefused> SlotCapacityHoldExtensionRefused { get; private set; } = null!;
    public Event<ConfirmSlot> ConfirmSlot { get; private set; } = null!;
    public Event<ReleaseSlot> ReleaseSlot { get; private set; } = null!;

    public Schedule<SlotReservationState, SlotHoldTimeout> HoldExpiration { get; private set; } = null!;

    private static TimeSpan Remaining(DateTimeOffset until, TimeProvider time)
    {
        var remaining = until - time.GetUtcNow();
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }
}

internal static class SlotReservationBehaviors
{
    /// <summary>The hold as checkout took it.</summary>
    public static void Take(this SlotReservationState saga, SlotHoldTaken taken)
    {
        var hold = taken.Hold;
        saga.OrderId = taken.OrderId;
        saga.StoreId = taken.StoreId;
        saga.SlotId = taken.SlotId;
        saga.WindowStart = hold.WindowStart;
        saga.WindowEnd = hold.WindowEnd;
        saga.CutOffAt = hold.CutOffAt;
        saga.HoldExpiresAt = hold.ExpiresAt;
    }

    /// <summary>Books the held capacity for good while the window's cut-off has not passed; after it, gives it back.</summary>
    public static EventActivityBinder<SlotReservationState, T> Confirm<T>(this EventActivityBinder<SlotReservationState, T> binder,
        SlotReservationStateMachine machine, TimeProvider time)
        where T : class =>
        binder.IfElse(ctx => time.GetUtcNow() <= ctx.Saga.CutOffAt,
            inTime => inTime
                .Publish(ctx => new ConfirmSlotCapacity(ctx.Saga.OrderId, ctx.Saga.CorrelationId, ctx.Saga.SlotId))
                .Publish(ctx => new SlotConfirmed(ctx.Saga.OrderId, ctx.Saga.CorrelationId, ctx.Saga.SlotId,
                    ctx.Saga.WindowStart!.Value, ctx.Saga.WindowEnd!.Value))
                .TransitionTo(machine.Confirmed),
            tooLate => tooLate
                .GiveCapacityBack()
                .Publish(ctx => new SlotCutOffPassed(ctx.Saga.OrderId, ctx.Saga.CorrelationId, ctx.Saga.SlotId, ctx.Saga.CutOffAt!.Value))
                .TransitionTo(machine.Released));

    public static EventActivityBinder<SlotReservationState, T> GiveCapacityBack<T>(this EventActivityBinder<SlotReservationState, T> binder)
        where T : class =>
        binder.Publish(ctx => new ReleaseSlotCapacity(ctx.Saga.OrderId, ctx.Saga.CorrelationId, ctx.Saga.SlotId));
}
