using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Delivery;
using Grocery.Workflows.Contracts.Orders;
using Grocery.Workflows.Contracts.Payments;
using Grocery.Workflows.Contracts.Picking;
using Grocery.Workflows.Contracts.Slots;
using Grocery.Workflows.Contracts.Stock;
using MassTransit;

namespace Grocery.Workflows.Sagas.Orders;

/// <summary>
/// The life of a grocery order: placed with its slot held and its stock reserved (both taken at checkout, in the
/// order's own transaction), authorize payment, confirm the slot, pick, capture the picked total, hand off to a
/// courier. Every failure releases what was acquired, newest first.
/// </summary>
public sealed class OrderStateMachine : MassTransitStateMachine<OrderState>
{
    /// <summary>The order saga as the engine sees it: its name, table, settings and the states it rests in when done.</summary>
    public static SagaDescriptor Saga { get; } = SagaDescriptor.Of<OrderStateMachine, OrderState, OrderSagaSettings>(
        "Order", table: "order_sagas", settingsSection: "Sagas:Order", nameof(Completed), nameof(Rejected), nameof(Cancelled), nameof(Refunded));

    public OrderStateMachine(OrderSagaSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);

        InstanceState(x => x.CurrentState);

        // An operator's request to send the pending command again: for this saga's instance only, never creating one.
        Event(() => ResendPendingCommand, x =>
        {
            x.CorrelateById(m => m.Message.SagaId);
            x.OnMissingInstance(m => m.Discard());
        });


        // Cancellation is honoured until a picker starts on the order.
        State[] beforePicking = [.. CancellableStates.Select(GetState)];
        State[] fromPickingOn = [Picking, AwaitingCapture, ReadyForHandoff, OutForDelivery, Refunding, Completed, Rejected, Cancelled, Refunded];

        Event(() => OrderSubmitted, x => x.CorrelateById(m => m.Message.OrderId));
        // A cancellation can overtake the order's own first message (the API accepted both): fault it, so the
        // endpoint's retry brings it back once the order exists, instead of dropping it.
        Event(() => CancelOrder, x =>
        {
            x.CorrelateById(m => m.Message.OrderId);
            x.OnMissingInstance(m => m.Fault());
        });
        Event(() => SlotHoldExpired, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => SlotConfirmed, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => SlotCutOffPassed, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => PaymentAuthorized, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => PaymentDeclined, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => AuthorizePaymentFaulted, x => x.CorrelateById(m => m.Message.Message.OrderId));
        Event(() => PickingStarted, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => PickingCompleted, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => PaymentCaptured, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => PaymentCaptureFailed, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => CapturePaymentFaulted, x => x.CorrelateById(m => m.Message.Message.OrderId));
        Event(() => DeliveryHandedOff, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => DeliveryCompleted, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => DeliveryFailed, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => PaymentRefunded, x => x.CorrelateById(m => m.Message.OrderId));

        Schedule(() => PickingStart, x => x.PickingDueToken, s => s.Received = r => r.CorrelateById(m => m.Message.OrderId));

        Initially(
            When(OrderSubmitted)
                .Then(ctx => ctx.Saga.Accept(ctx.Message))
                .Publish(ctx => Authorization(ctx.Saga, settings))
                .TransitionTo(AwaitingPayment));

        During(AwaitingPayment,
            When(PaymentAuthorized)
                .Then(ctx =>
                {
                    ctx.Saga.AuthorizationId = ctx.Message.AuthorizationId;
                    ctx.Saga.AuthorizedAmount = ctx.Message.Amount.Amount;
                })
                .Publish(ctx => new ConfirmSlot(ctx.Saga.CorrelationId, ctx.Saga.SlotReservationId))
                .TransitionTo(AwaitingSlotConfirmation),
            When(PaymentDeclined)
                .ReleaseHeldResources()
                .PublishRejection(OrderRejectionReason.PaymentDeclined, ctx => ctx.Message.Reason)
                .TransitionTo(Rejected),
            When(AuthorizePaymentFaulted)
                .ReleaseHeldResources()
                .PublishRejection(OrderRejectionReason.PaymentFailed, ctx => ctx.Message.Describe())
                .TransitionTo(Rejected));

        During(AwaitingSlotConfirmation,
            When(SlotConfirmed)
                .Then(ctx =>
                {
                    ctx.Saga.WindowStart = ctx.Message.WindowStart;
                    ctx.Saga.WindowEnd = ctx.Message.WindowEnd;
                })
                .Publish(ctx => new OrderConfirmed(ctx.Saga.CorrelationId, ctx.Saga.SlotId, new Money(ctx.Saga.AuthorizedAmount, ctx.Saga.Currency)))
                .TransitionTo(Confirmed)
                .IfElse(ctx => settings.StartPickingImmediately || PickingStartsAt(ctx.Saga) <= time.GetUtcNow(),
                    now => now.RequestPicking(),
                    later => later.Schedule(PickingStart, ctx => new PickingDue(ctx.Saga.CorrelationId),
                        ctx => PickingStartsAt(ctx.Saga) - time.GetUtcNow())),
            When(SlotCutOffPassed)
                .Then(ctx => ctx.Saga.SlotHoldEnded = true)
                .ReleaseHeldResources()
                .PublishRejection(OrderRejectionReason.SlotCutOffPassed, ctx => $"Cut-off {ctx.Message.CutOffAt:u} passed")
                .TransitionTo(Rejected));

        During(AwaitingPayment, AwaitingSlotConfirmation,
            When(SlotHoldExpired)
                .Then(ctx => ctx.Saga.SlotHoldEnded = true)
                .ReleaseHeldResources()
                .PublishRejection(OrderRejectionReason.SlotHoldExpired, _ => "The slot hold expired before the order was confirmed")
                .TransitionTo(Rejected));

        // The outbox delivers an order's messages in commit order, but the consumers of one queue still race between
        // receipt and the order's partition, so PickingCompleted can overtake PickingStarted: the order passes through
        // Picking all the same, and its timeline shows every step.
        During(Confirmed,
            When(PickingStart!.Received)
                .RequestPicking(),
            When(PickingStarted)
                .TransitionTo(Picking),
            When(PickingCompleted)
                .TransitionTo(Picking)
                .CompletePicking(this));

        During(Picking,
            When(PickingCompleted)
                .CompletePicking(this));

        During(AwaitingCapture,
            When(PaymentCaptured)
                .Then(ctx =>
                {
                    // The capture may have authorized again (a larger total, a lapsed hold): that is the hold now.
                    ctx.Saga.AuthorizationId = ctx.Message.AuthorizationId;
                    ctx.Saga.CaptureId = ctx.Message.CaptureId;
                    ctx.Saga.CapturedAmount = ctx.Message.Amount.Amount;
                })
                .Publish(ctx => new ArrangeDelivery(ctx.Saga.CorrelationId, ctx.Saga.StoreId, ctx.Saga.WindowStart!.Value, ctx.Saga.WindowEnd!.Value))
                .TransitionTo(ReadyForHandoff),
            When(PaymentCaptureFailed)
                .Then(ctx => ctx.Saga.PickingRequested = false)
                .ReleaseHeldResources()
                .PublishRejection(OrderRejectionReason.CaptureFailed, ctx => ctx.Message.Reason)
                .TransitionTo(Rejected),
            When(CapturePaymentFaulted)
                .Then(ctx => ctx.Saga.PickingRequested = false)
                .ReleaseHeldResources()
                .PublishRejection(OrderRejectionReason.CaptureFailed, ctx => ctx.Message.Describe())
                .TransitionTo(Rejected));

        // DeliveryCompleted may overtake DeliveryHandedOff in the same way: the order goes out for delivery first.
        During(ReadyForHandoff,
            When(DeliveryHandedOff)
                .Publish(ctx => new OrderOutForDelivery(ctx.Saga.CorrelationId, ctx.Message.CourierId))
                .TransitionTo(OutForDelivery),
            When(DeliveryCompleted)
                .Publish(ctx => new OrderOutForDelivery(ctx.Saga.CorrelationId, ctx.Message.CourierId))
                .TransitionTo(OutForDelivery)
                .CompleteDelivery(this));

        During(OutForDelivery,
            When(DeliveryCompleted)
                .CompleteDelivery(this));

        // A failure before the hand-off (no courier came) is as final as one after it.
        During(ReadyForHandoff, OutForDelivery,
            When(DeliveryFailed)
                .Then(ctx => ctx.Saga.EndReason = ctx.Message.Reason)
                .Publish(ctx => Refund(ctx.Saga))
                .Publish(ctx => new ReturnStock(ctx.Saga.CorrelationId, ctx.Saga.StoreId, ctx.Saga.PickedLines.ToStockLines()))
                .TransitionTo(Refunding));

        During(Refunding,
            When(PaymentRefunded)
                .Then(ctx => ctx.Saga.RefundedAmount += ctx.Message.Amount.Amount)
                .Publish(ctx => new OrderRefunded(ctx.Saga.CorrelationId, new Money(ctx.Saga.RefundedAmount, ctx.Saga.Currency), ctx.Saga.EndReason ?? ""))
                .TransitionTo(Refunded));

        During(beforePicking,
            When(CancelOrder)
                .Unschedule(PickingStart)
                .Then(ctx => ctx.Saga.EndReason = ctx.Message.Reason)
                .ReleaseHeldResources()
                .Publish(ctx => new OrderCancelled(ctx.Saga.CorrelationId, ctx.Message.Reason))
                .TransitionTo(Cancelled));

        During(fromPickingOn,
            When(CancelOrder)
                .Publish(ctx => new OrderCancellationRefused(ctx.Saga.CorrelationId, ctx.Saga.CurrentState)));

        // Answers that arrive after the order gave up: undo what they acquired.
        During(Rejected, Cancelled,
            When(PaymentAuthorized)
                .Publish(ctx => new VoidPaymentAuthorization(ctx.Saga.CorrelationId, ctx.Saga.PaymentProvider, ctx.Message.AuthorizationId)),
            // A capture that went through after the order gave up (a failed capture replayed by hand): give it back.
            When(PaymentCaptured)
                .Publish(ctx => new RefundPayment(ctx.Saga.CorrelationId, ctx.Saga.PaymentProvider, ctx.Message.CaptureId, ctx.Message.Amount)));

        // A duplicate, a late answer or anything for a finished order changes nothing.
        // Sends again what the order waits on (PendingCommands), with the same idempotency keys as the first time.
        During(AwaitingPayment,
            When(ResendPendingCommand, ctx => ctx.Message.Saga == Saga.Name)
                .Publish(ctx => Authorization(ctx.Saga, settings)));
        During(AwaitingCapture,
            When(ResendPendingCommand, ctx => ctx.Message.Saga == Saga.Name)
                .Publish(ctx => OrderBehaviors.Capture(ctx.Saga)));
        During(Refunding,
            When(ResendPendingCommand, ctx => ctx.Message.Saga == Saga.Name)
                .Publish(ctx => Refund(ctx.Saga)));

        OnUnhandledEvent(ctx => ctx.Ignore());

        DateTimeOffset PickingStartsAt(OrderState order) => order.WindowStart!.Value - settings.PickingLeadTime;
    }

    /// <summary>Where a customer's cancellation is honoured: until a picker starts on the order.</summary>
    public static IReadOnlyList<string> CancellableStates { get; } =
        [nameof(AwaitingPayment), nameof(AwaitingSlotConfirmation), nameof(Confirmed)];

    /// <summary>The authorization an order asks for: its estimate with the store's margin.</summary>
    private static AuthorizePayment Authorization(OrderState order, OrderSagaSettings settings) =>
        new(order.CorrelationId, order.PaymentProvider, order.PaymentToken,
            new Money(OrderPricing.WithMargin(order.EstimatedTotal, settings.MarginPercentFor(order.StoreId)), order.Currency));

    /// <summary>The refund of everything captured, when the delivery failed.</summary>
    private static RefundPayment Refund(OrderState order) =>
        new(order.CorrelationId, order.PaymentProvider, order.CaptureId!, new Money(order.CapturedAmount, order.Currency));

    public State AwaitingPayment { get; private set; } = null!;
    public State AwaitingSlotConfirmation { get; private set; } = null!;
    public State Confirmed { get; private set; } = null!;
    public State Picking { get; private set; } = null!;
    public State AwaitingCapture { get; private set; } = null!;
    public State ReadyForHandoff { get; private set; } = null!;
    public State OutForDelivery { get; private set; } = null!;
    public State Refunding { get; private set; } = null!;
    public State Completed { get; private set; } = null!;
    public State Rejected { get; private set; } = null!;
    public State Cancelled { get; private set; } = null!;
    public State Refunded { get; private set; } = null!;

    public Event<OrderSubmitted> OrderSubmitted { get; private set; } = null!;
    public Event<CancelOrder> CancelOrder { get; private set; } = null!;
    public Event<SlotHoldExpired> SlotHoldExpired { get; private set; } = null!;
    public Event<SlotConfirmed> SlotConfirmed { get; private set; } = null!;
    public Event<SlotCutOffPassed> SlotCutOffPassed { get; private set; } = null!;
    public Event<PaymentAuthorized> PaymentAuthorized { get; private set; } = null!;
    public Event<PaymentDeclined> PaymentDeclined { get; private set; } = null!;
    public Event<Fault<AuthorizePayment>> AuthorizePaymentFaulted { get; private set; } = null!;
    public Event<PickingStarted> PickingStarted { get; private set; } = null!;
    public Event<PickingCompleted> PickingCompleted { get; private set; } = null!;
    public Event<PaymentCaptured> PaymentCaptured { get; private set; } = null!;
    public Event<PaymentCaptureFailed> PaymentCaptureFailed { get; private set; } = null!;
    public Event<Fault<CapturePayment>> CapturePaymentFaulted { get; private set; } = null!;
    public Event<DeliveryHandedOff> DeliveryHandedOff { get; private set; } = null!;
    public Event<DeliveryCompleted> DeliveryCompleted { get; private set; } = null!;
    public Event<DeliveryFailed> DeliveryFailed { get; private set; } = null!;
    public Event<PaymentRefunded> PaymentRefunded { get; private set; } = null!;
    public Event<ResendPendingCommand> ResendPendingCommand { get; private set; } = null!;

    public Schedule<OrderState, PickingDue> PickingStart { get; private set; } = null!;
}
