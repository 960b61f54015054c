using Grocery.Workflows.Contracts.Delivery;
using Grocery.Workflows.Contracts.Orders;
using MassTransit;

namespace Grocery.Workflows.Sagas.Delivery;

/// <summary>
/// Hands a picked, paid order to a courier: ask the provider's quote, book a courier at the window's dispatch time,
/// wait for assignment and pick-up, book again when nobody comes or the courier cancels (up to
/// <see cref="DeliverySettings.MaxDispatchAttempts"/>), then once with the store's own fleet, then follow the parcel
/// to the door. Failure makes the order refund and return stock.
/// </summary>
public sealed class DeliveryStateMachine : MassTransitStateMachine<DeliveryState>
{
    /// <summary>The delivery handoff saga as the engine sees it: its name, table, settings and the states it rests in when done.</summary>
    public static SagaDescriptor Saga { get; } = SagaDescriptor.Of<DeliveryStateMachine, DeliveryState, DeliverySettings>(
        "DeliveryHandoff", table: "delivery_sagas", settingsSection: "Sagas:Delivery", nameof(Delivered), nameof(Failed), nameof(Cancelled));

    public DeliveryStateMachine(DeliverySettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        MaxDispatchAttempts = settings.MaxDispatchAttempts;

        InstanceState(x => x.CurrentState);

        // An operator's request to send the pending command again: for this saga's instance only, never creating one.
        Event(() => ResendPendingCommand, x =>
        {
            x.CorrelateById(m => m.Message.SagaId);
            x.OnMissingInstance(m => m.Discard());
        });


        Event(() => ArrangeDelivery, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => CourierAccepted, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => CourierNoShow, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => ParcelPickedUp, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => ParcelDelivered, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => DeliveryAttemptFailed, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => CancelDelivery, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => CourierCancelled, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => CourierDispatchRefused, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => DeliveryQuoted, x => x.CorrelateById(m => m.Message.OrderId));

        Schedule(() => DispatchDue, x => x.DispatchDueToken, s => s.Received = r => r.CorrelateById(m => m.Message.OrderId));
        Schedule(() => CourierAssignment, x => x.CourierAssignmentToken, s =>
        {
            s.Delay = settings.CourierAssignmentTimeout;
            s.Received = r => r.CorrelateById(m => m.Message.OrderId);
        });
        Schedule(() => Pickup, x => x.PickupToken, s =>
        {
            s.Delay = settings.PickupTimeout;
            s.Received = r => r.CorrelateById(m => m.Message.OrderId);
        });
        Schedule(() => DeliveryDeadline, x => x.DeliveryDeadlineToken, s =>
        {
            s.Delay = settings.DeliveryTimeout;
            s.Received = r => r.CorrelateById(m => m.Message.OrderId);
        });

        Initially(
            When(ArrangeDelivery)
                .Then(ctx =>
                {
                    ctx.Saga.StoreId = ctx.Message.StoreId;
                    ctx.Saga.WindowStart = ctx.Message.WindowStart;
                    ctx.Saga.WindowEnd = ctx.Message.WindowEnd;
                    ctx.Saga.Attempt = 1;
                })
                .Publish(ctx => new QuoteDelivery(ctx.Saga.CorrelationId, ctx.Saga.StoreId))
                .IfElse(ctx => settings.DispatchImmediately || DispatchAt(ctx.Saga, settings) <= time.GetUtcNow(),
                    now => now.DispatchCourier(this),
                    later => later
                        .Schedule(DispatchDue, ctx => new CourierDispatchDue(ctx.Saga.CorrelationId), ctx => DispatchAt(ctx.Saga, settings) - time.GetUtcNow())
                        .TransitionTo(AwaitingDispatchTime)));

        During(AwaitingDispatchTime,
            When(DispatchDue!.Received)
                .DispatchCourier(this),
            When(CancelDelivery)
                .Unschedule(DispatchDue)
                .Then(ctx => ctx.Saga.FailureReason = "Cancelled: " + ctx.Message.Reason)
                .Publish(ctx => new DeliveryFailed(ctx.Saga.CorrelationId, ctx.Saga.FailureReason!, 0))
                .TransitionTo(Cancelled));

        // The quote is for the record (what the delivery costs, when it should arrive); booking does not wait for it.
        During([AwaitingDispatchTime, AwaitingCourier, CourierAssigned, PickedUp, Delivered],
            When(DeliveryQuoted)
                .Then(ctx =>
                {
                    ctx.Saga.QuotedFee = ctx.Message.Fee?.Amount;
                    ctx.Saga.QuoteCurrency = ctx.Message.Fee?.Currency;
                    ctx.Saga.QuoteRefusal = ctx.Message.Refusal is { } refusal ? refusal[..Math.Min(refusal.Length, 256)] : null;
                }));

        During(AwaitingCourier,
            When(CourierAccepted, ctx => ctx.Message.Attempt == ctx.Saga.Attempt)
                .Unschedule(CourierAssignment)
                .Then(ctx => ctx.Saga.CourierId = ctx.Message.CourierId)
                .Schedule(Pickup, ctx => new CourierPickupTimeout(ctx.Saga.CorrelationId, ctx.Saga.Attempt))
                .TransitionTo(CourierAssigned),
            When(CourierAssignment!.Received)
                .Redispatch(this, "No courier accepted the booking in time"),
            When(CourierDispatchRefused, ctx => ctx.Message.Attempt == ctx.Saga.Attempt)
                .Unschedule(CourierAssignment)
                .ToStoreFleet(this, ctx => "The provider refused the booking: " + ctx.Message.Reason));

        // The provider gave the booking to another courier of its own (a reassignment): the new one is the courier.
        During(CourierAssigned,
            When(CourierAccepted, ctx => ctx.Message.Attempt == ctx.Saga.Attempt && ctx.Message.CourierId != ctx.Saga.CourierId)
                .Then(ctx => ctx.Saga.CourierId = ctx.Message.CourierId));

        // The courier (or the provider) cancelled the booking before pick-up: book another.
        During(AwaitingCourier, CourierAssigned,
            When(CourierCancelled, ctx => ctx.Message.Attempt == ctx.Saga.Attempt)
                .Unschedule(CourierAssignment)
                .Unschedule(Pickup)
                .Redispatch(this, "The courier cancelled"));

        // The pick-up may overtake the acceptance on a concurrent endpoint: whoever has the parcel is the courier.
        During(AwaitingCourier,
            When(ParcelPickedUp)
                .Unschedule(CourierAssignment)
                .Then(ctx => ctx.Saga.CourierId = ctx.Message.CourierId)
                .HandOff(this));

        During(CourierAssigned,
            When(ParcelPickedUp)
                .Unschedule(Pickup)
                .HandOff(this),
            When(CourierNoShow, ctx => ctx.Message.Attempt == ctx.Saga.Attempt)
                .Unschedule(Pickup)
                .Redispatch(this, "The courier did not turn up"),
            When(Pickup!.Received)
                .Redispatch(this, "The courier did not turn up"));

        During(PickedUp,
            When(ParcelDelivered)
                .Unschedule(DeliveryDeadline)
                .CompleteDelivery(this),
            When(DeliveryAttemptFailed)
                .Unschedule(DeliveryDeadline)
                .Fail(this, ctx => ctx.Message.Reason),
            When(DeliveryDeadline!.Received)
                .Fail(this, _ => "The parcel was not delivered in time"));

        // The outcome at the door may overtake the pick-up (the consumers of one queue race to the order's partition):
        // the parcel was handed off, so the order hears of the hand-off first, then of the outcome.
        During(AwaitingCourier, CourierAssigned,
            When(ParcelDelivered)
                .Unschedule(CourierAssignment)
                .Unschedule(Pickup)
                .Then(ctx => ctx.Saga.CourierId = ctx.Message.CourierId)
                .AnnounceHandOff(this)
                .CompleteDelivery(this),
            When(DeliveryAttemptFailed)
                .Unschedule(CourierAssignment)
                .Unschedule(Pickup)
                .Then(ctx => ctx.Saga.CourierId = ctx.Message.CourierId)
                .AnnounceHandOff(this)
                .Fail(this, ctx => ctx.Message.Reason));

        During(AwaitingCourier, CourierAssigned,
            When(CancelDelivery)
                .Unschedule(CourierAssignment)
                .Unschedule(Pickup)
                .Publish(ctx => new CancelCourierDispatch(ctx.Saga.CorrelationId, ctx.Saga.Attempt, ctx.Saga.CourierId))
                .Then(ctx => ctx.Saga.FailureReason = "Cancelled: " + ctx.Message.Reason)
                .Publish(ctx => new DeliveryFailed(ctx.Saga.CorrelationId, ctx.Saga.FailureReason!, ctx.Saga.Attempt))
                .TransitionTo(Cancelled));

        // An acceptance for a booking that is no longer wanted (superseded attempt, or delivery over): cancel it
        // at the provider so no courier drives out for nothing.
        During(AwaitingCourier,
            When(CourierAccepted, ctx => ctx.Message.Attempt != ctx.Saga.Attempt)
                .CancelUnwantedBooking());
        During(CourierAssigned, PickedUp, Delivered,
            When(CourierAccepted, ctx => ctx.Message.Attempt != ctx.Saga.Attempt)
                .CancelUnwantedBooking());
        During(Failed, Cancelled,
            When(CourierAccepted)
                .CancelUnwantedBooking());

        // A duplicate report or anything for a finished delivery changes nothing.
        // Asks the courier provider again for this attempt's courier (PendingCommands); the attempt is the same.
        During(AwaitingCourier,
            When(ResendPendingCommand, ctx => ctx.Message.Saga == Saga.Name)
                .Publish(ctx => new DispatchCourier(ctx.Saga.CorrelationId, ctx.Saga.StoreId, ctx.Saga.Attempt, ctx.Saga.StoreFleet)));

        OnUnhandledEvent(ctx => ctx.Ignore());
    }

    internal int MaxDispatchAttempts { get; }

    /// <summary>The window's dispatch time: its start less the lead time.</summary>
    private static DateTimeOffset DispatchAt(DeliveryState saga, DeliverySettings settings) => saga.WindowStart - settings.DispatchLeadTime;

    public State AwaitingDispatchTime { get; private set; } = null!;
    public State AwaitingCourier { get; private set; } = null!;
    public State CourierAssigned { get; private set; } = null!;
    public State PickedUp { get; private set; } = null!;
    public State Delivered { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    public State Cancelled { get; private set; } = null!;

    public Event<ArrangeDelivery> ArrangeDelivery { get; private set; } = null!;
    public Event<CourierAccepted> CourierAccepted { get; private set; } = null!;
    public Event<CourierNoShow> CourierNoShow { get; private set; } = null!;
    public Event<ParcelPickedUp> ParcelPickedUp { get; private set; } = null!;
    public Event<ParcelDelivered> ParcelDelivered { get; private set; } = null!;
    public Event<DeliveryAttemptFailed> DeliveryAttemptFailed { get; private set; } = null!;
    public Event<CancelDelivery> CancelDelivery { get; private set; } = null!;
    public Event<ResendPendingCommand> ResendPendingCommand { get; private set; } = null!;
    public Event<CourierCancelled> CourierCancelled { get; private set; } = null!;
    public Event<CourierDispatchRefused> CourierDispatchRefused { get; private set; } = null!;
    public Event<DeliveryQuoted> DeliveryQuoted { get; private set; } = null!;

    public Schedule<DeliveryState, CourierDispatchDue> DispatchDue { get; private set; } = null!;
    public Schedule<DeliveryState, CourierAssignmentTimeout> CourierAssignment { get; private set; } = null!;
    public Schedule<DeliveryState, CourierPickupTimeout> Pickup { get; private set; } = null!;
    public Schedule<DeliveryState, DeliveryOverdue> DeliveryDeadline { get; private set; } = null!;
}

internal static class DeliveryBehaviors
{
    public static EventActivityBinder<DeliveryState, T> DispatchCourier<T>(this EventActivityBinder<DeliveryState, T> binder, DeliveryStateMachine machine)
        where T : class =>
        binder
            .Publish(ctx => new DispatchCourier(ctx.Saga.CorrelationId, ctx.Saga.StoreId, ctx.Saga.Attempt, ctx.Saga.StoreFleet))
            .Schedule(machine.CourierAssignment, ctx => new CourierAssignmentTimeout(ctx.Saga.CorrelationId, ctx.Saga.Attempt))
            .TransitionTo(machine.AwaitingCourier);

    /// <summary>
    /// Cancel the current booking, then book another courier of the provider; after its last attempt, the store's own
    /// fleet; after the fleet, fail.
    /// </summary>
    public static EventActivityBinder<DeliveryState, T> Redispatch<T>(this EventActivityBinder<DeliveryState, T> binder, DeliveryStateMachine machine, string reason)
        where T : class =>
        binder
            .Publish(ctx => new CancelCourierDispatch(ctx.Saga.CorrelationId, ctx.Saga.Attempt, ctx.Saga.CourierId))
            .IfElse(ctx => !ctx.Saga.StoreFleet && ctx.Saga.Attempt < machine.MaxDispatchAttempts,
                again => again
                    .Then(ctx =>
                    {
                        ctx.Saga.Attempt++;
                        ctx.Saga.CourierId = null;
                    })
                    .DispatchCourier(machine),
                fleet => fleet.ToStoreFleet(machine, ctx => ctx.Saga.StoreFleet
                    ? $"{reason} (the store's fleet, after {ctx.Saga.Attempt - 1} attempts of the provider)"
                    : $"{reason} ({machine.MaxDispatchAttempts} attempts)"));

    /// <summary>Book the store's own fleet, unless it was the fleet that failed: then delivery fails with <paramref name="reason"/>.</summary>
    public static EventActivityBinder<DeliveryState, T> ToStoreFleet<T>(this EventActivityBinder<DeliveryState, T> binder, DeliveryStateMachine machine,
        Func<BehaviorContext<DeliveryState, T>, string> reason)
        where T : class =>
        binder.IfElse(ctx => !ctx.Saga.StoreFleet,
            fleet => fleet
                .Then(ctx =>
                {
                    ctx.Saga.StoreFleet = true;
                    ctx.Saga.Attempt++;
                    ctx.Saga.CourierId = null;
                })
                .DispatchCourier(machine),
            giveUp => giveUp.Fail(machine, reason));

    public static EventActivityBinder<DeliveryState, T> HandOff<T>(this EventActivityBinder<DeliveryState, T> binder, DeliveryStateMachine machine)
        where T : class =>
        binder
            .Schedule(machine.DeliveryDeadline, ctx => new DeliveryOverdue(ctx.Saga.CorrelationId))
            .AnnounceHandOff(machine);

    public static EventActivityBinder<DeliveryState, T> AnnounceHandOff<T>(this EventActivityBinder<DeliveryState, T> binder, DeliveryStateMachine machine)
        where T : class =>
        binder
            .Publish(ctx => new DeliveryHandedOff(ctx.Saga.CorrelationId, ctx.Saga.CourierId!))
            .TransitionTo(machine.PickedUp);

    public static EventActivityBinder<DeliveryState, T> CompleteDelivery<T>(this EventActivityBinder<DeliveryState, T> binder, DeliveryStateMachine machine)
        where T : class =>
        binder
            .Publish(ctx => new DeliveryCompleted(ctx.Saga.CorrelationId, ctx.Saga.CourierId!))
            .TransitionTo(machine.Delivered);

    public static EventActivityBinder<DeliveryState, T> Fail<T>(this EventActivityBinder<DeliveryState, T> binder, DeliveryStateMachine machine,
        Func<BehaviorContext<DeliveryState, T>, string> reason)
        where T : class =>
        binder
            .Then(ctx => ctx.Saga.FailureReason = reason(ctx))
            .Publish(ctx => new DeliveryFailed(ctx.Saga.CorrelationId, ctx.Saga.FailureReason!, ctx.Saga.Attempt))
            .TransitionTo(machine.Failed);

    public static EventActivityBinder<DeliveryState, CourierAccepted> CancelUnwantedBooking(this EventActivityBinder<DeliveryState, CourierAccepted> binder) =>
        binder.Publish(ctx => new CancelCourierDispatch(ctx.Saga.CorrelationId, ctx.Message.Attempt, ctx.Message.CourierId));
}
