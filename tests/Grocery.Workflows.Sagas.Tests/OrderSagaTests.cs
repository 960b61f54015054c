using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Delivery;
using Grocery.Workflows.Contracts.Orders;
using Grocery.Workflows.Contracts.Payments;
using Grocery.Workflows.Contracts.Picking;
using Grocery.Workflows.Contracts.Slots;
using Grocery.Workflows.Contracts.Stock;
using Grocery.Workflows.Sagas.Orders;
using MassTransit;

namespace Grocery.Workflows.Sagas.Tests;

/// <summary>
/// The order saga alone: the test plays checkout (which holds the slot and reserves the stock), the slot saga, the
/// payment provider, picking and delivery.
/// </summary>
public sealed class OrderSagaTests
{
    private static readonly Guid SlotId = Guid.Parse("5a1e0000-0000-0000-0000-000000000002");
    private readonly Guid _orderId = Guid.NewGuid();
    private readonly Guid _reservationId = Guid.NewGuid();
    private readonly DateTimeOffset _windowStart = DateTimeOffset.UtcNow.AddHours(6);

    // 2 x 25,000 VND milk + 1.2 kg bananas at 30,000 VND/kg = 86,000 VND.
    private static readonly OrderLine Milk = new("MILK-1L", "Fresh milk 1 L", SaleUnit.Each, 2, 25_000);
    private static readonly OrderLine Bananas = new("BANANA", "Bananas", SaleUnit.Kilogram, 1.2m, 30_000);

    private OrderSubmitted Submitted => new(_orderId, "cust-42", "hcm-01", SlotId, "VND", [Milk, Bananas],
        new PaymentMethod("sandbox", "tok_success"), SubstitutionPreference.Accept, DateTimeOffset.UtcNow,
        new HeldSlot(_reservationId, _windowStart, _windowStart.AddHours(1), _windowStart.AddHours(-2), DateTimeOffset.UtcNow.AddHours(1)));

    private Task<OrderState> InState(SagaTestHarness h, Func<OrderStateMachine, State> state) =>
        h.InState<OrderStateMachine, OrderState>(_orderId, state);

    private Task<string?> StateAfterQuiet(SagaTestHarness h) => h.StateAfterQuiet<OrderStateMachine, OrderState>(_orderId);

    private async Task<OrderState> Placed(SagaTestHarness h)
    {
        await h.Publish(Submitted);
        return await InState(h, m => m.AwaitingPayment);
    }

    private async Task<OrderState> Authorized(SagaTestHarness h)
    {
        var order = await Placed(h);
        await h.Publish(new PaymentAuthorized(_orderId, "auth_1", new Money(98_900, "VND")));
        await h.Published<ConfirmSlot>(m => m.OrderId == _orderId && m.ReservationId == order.SlotReservationId);
        return await InState(h, m => m.AwaitingSlotConfirmation);
    }

    private async Task<OrderState> Confirmed(SagaTestHarness h)
    {
        var order = await Authorized(h);
        await h.Publish(new SlotConfirmed(_orderId, order.SlotReservationId, SlotId, _windowStart, _windowStart.AddHours(1)));
        return await InState(h, m => m.Confirmed);
    }

    private async Task<OrderState> Picking(SagaTestHarness h)
    {
        await Confirmed(h);
        await h.Published<StartPicking>(m => m.OrderId == _orderId);
        await h.Publish(new PickingStarted(_orderId, "picker-7"));
        return await InState(h, m => m.Picking);
    }

    // Milk picked in full, bananas weighed 1.15 kg, plus a replacement yoghurt: 50,000 + 34,500 + 12,000.
    private static readonly PickedLine[] PickedLines =
    [
        new("MILK-1L", "Fresh milk 1 L", SaleUnit.Each, 2, 2, 25_000, null),
        new("BANANA", "Bananas", SaleUnit.Kilogram, 1.2m, 1.15m, 30_000, null),
        new("YOGHURT", "Yoghurt", SaleUnit.Each, 0, 1, 12_000, "GREEK-YOG"),
    ];

    private async Task<OrderState> AwaitingCapture(SagaTestHarness h)
    {
        await Picking(h);
        await h.Publish(new PickingCompleted(_orderId, "hcm-01", PickedLines));
        return await InState(h, m => m.AwaitingCapture);
    }

    private async Task<OrderState> ReadyForHandoff(SagaTestHarness h)
    {
        await AwaitingCapture(h);
        await h.Publish(new PaymentCaptured(_orderId, "auth_1", "cap_1", new Money(96_500, "VND")));
        return await InState(h, m => m.ReadyForHandoff);
    }

    private static Type[] Compensations =>
        [typeof(CancelPicking), typeof(VoidPaymentAuthorization), typeof(ReturnStock), typeof(ReleaseStock), typeof(ReleaseSlot)];

    [Fact]
    public async Task An_order_goes_from_submitted_to_completed()
    {
        await using var h = await SagaTestHarness.Start();

        await ReadyForHandoff(h);
        await h.Publish(new DeliveryHandedOff(_orderId, "courier-1"));
        await InState(h, m => m.OutForDelivery);
        // The customer hears it is on its way, with the courier.
        (await h.Published<OrderOutForDelivery>(m => m.OrderId == _orderId)).CourierId.ShouldBe("courier-1");
        await h.Publish(new DeliveryCompleted(_orderId, "courier-1"));

        var completed = await InState(h, m => m.Completed);
        (await h.Published<OrderCompleted>(m => m.OrderId == _orderId)).Captured.ShouldBe(new Money(96_500, "VND"));
        completed.CaptureId.ShouldBe("cap_1");
        (await h.PublishedInOrder(Compensations)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Picking_completed_before_picking_started_passes_through_picking_and_the_late_start_is_ignored()
    {
        await using var h = await SagaTestHarness.Start();
        var entered = h.Transitions<OrderStateMachine, OrderState>(_orderId);
        await Confirmed(h);
        await h.Published<StartPicking>(m => m.OrderId == _orderId);

        await h.Publish(new PickingCompleted(_orderId, "hcm-01", PickedLines));
        await InState(h, m => m.AwaitingCapture);
        await h.Publish(new PickingStarted(_orderId, "picker-7"));

        (await StateAfterQuiet(h)).ShouldBe("AwaitingCapture");
        entered.Select(t => t.State).SkipWhile(s => s != "Confirmed").ShouldBe(["Confirmed", "Picking", "AwaitingCapture"]);
        (await h.Published<CapturePayment>(m => m.OrderId == _orderId)).Amount.ShouldBe(new Money(96_500, "VND"));
        (await h.CountPublished<CommitPickedStock>()).ShouldBe(1);
        h.Bus.Consumed.Select<Fault>().Take(1).Count().ShouldBe(0);
    }

    [Fact]
    public async Task An_event_that_is_retried_keeps_its_place_ahead_of_the_next_event_of_its_order()
    {
        // PickingStarted fails its first attempt, and only once PickingCompleted is in the queue behind it: the retry
        // must come before PickingCompleted is consumed.
        var completedQueued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failed = 0;
        await using var h = await SagaTestHarness.Start(world: x => x.AddConfigureEndpointsCallback((_, _, endpoint) =>
            endpoint.UseExecuteAsync(async context =>
            {
                if (context.TryGetMessage<PickingStarted>(out _) && Interlocked.Exchange(ref failed, 1) == 0)
                {
                    await completedQueued.Task.WaitAsync(TimeSpan.FromSeconds(20));
                    throw new InvalidOperationException("A conflict on the first attempt");
                }
            })));
        var entered = h.Transitions<OrderStateMachine, OrderState>(_orderId);
        await Confirmed(h);
        await h.Published<StartPicking>(m => m.OrderId == _orderId);

        await h.Publish(new PickingStarted(_orderId, "picker-7"));
        await h.Publish(new PickingCompleted(_orderId, "hcm-01", PickedLines));
        completedQueued.SetResult();

        await InState(h, m => m.AwaitingCapture);
        (await StateAfterQuiet(h)).ShouldBe("AwaitingCapture");
        failed.ShouldBe(1);
        entered.SkipWhile(t => t.State != "Picking").ShouldBe([("Picking", "PickingStarted"), ("AwaitingCapture", "PickingCompleted")]);
    }

    [Fact]
    public async Task Delivery_completed_before_the_hand_off_passes_through_out_for_delivery_and_the_late_hand_off_is_ignored()
    {
        await using var h = await SagaTestHarness.Start();
        var entered = h.Transitions<OrderStateMachine, OrderState>(_orderId);
        await ReadyForHandoff(h);

        await h.Publish(new DeliveryCompleted(_orderId, "courier-1"));
        await InState(h, m => m.Completed);
        await h.Publish(new DeliveryHandedOff(_orderId, "courier-1"));

        (await StateAfterQuiet(h)).ShouldBe("Completed");
        entered.Select(t => t.State).SkipWhile(s => s != "ReadyForHandoff").ShouldBe(["ReadyForHandoff", "OutForDelivery", "Completed"]);
        (await h.CountPublished<OrderCompleted>()).ShouldBe(1);
    }

    [Fact]
    public async Task The_order_authorizes_the_estimate_plus_the_margin_and_captures_the_picked_total()
    {
        await using var h = await SagaTestHarness.Start();

        var order = await AwaitingCapture(h);

        order.EstimatedTotal.ShouldBe(86_000);
        (await h.Published<AuthorizePayment>(m => m.OrderId == _orderId)).Amount.ShouldBe(new Money(98_900, "VND"));
        (await h.Published<OrderConfirmed>(m => m.OrderId == _orderId)).Authorized.ShouldBe(new Money(98_900, "VND"));
        order.PickedTotal.ShouldBe(96_500);
        (await h.Published<CommitPickedStock>(m => m.OrderId == _orderId)).Picked
            .ShouldBe([new StockLine("MILK-1L", 2), new StockLine("BANANA", 1.15m), new StockLine("YOGHURT", 1)]);
        var capture = await h.Published<CapturePayment>(m => m.OrderId == _orderId);
        capture.Amount.ShouldBe(new Money(96_500, "VND"));
        capture.AuthorizationId.ShouldBe("auth_1");
        capture.Token.ShouldBe("tok_success");
    }

    [Fact]
    public async Task A_store_with_its_own_margin_authorizes_the_estimate_plus_that_margin()
    {
        await using var h = await SagaTestHarness.Start(order: o => o.AuthorizationMarginPercentByStore["hcm-01"] = 130);

        await Placed(h);

        (await h.Published<AuthorizePayment>(m => m.OrderId == _orderId)).Amount.ShouldBe(new Money(111_800, "VND"));
    }

    [Fact]
    public async Task A_capture_that_arrives_after_the_order_gave_up_is_refunded()
    {
        await using var h = await SagaTestHarness.Start();
        await Placed(h);
        await h.Publish(new PaymentDeclined(_orderId, "card_declined"));
        await InState(h, m => m.Rejected);

        await h.Publish(new PaymentCaptured(_orderId, "auth_9", "cap_9", new Money(50_000, "VND")));

        var refund = await h.Published<RefundPayment>(m => m.OrderId == _orderId);
        refund.CaptureId.ShouldBe("cap_9");
        refund.Amount.ShouldBe(new Money(50_000, "VND"));
        refund.Step.ShouldBe(RefundPayment.OrderRefund);
        (await StateAfterQuiet(h)).ShouldBe("Rejected");
    }

    [Fact]
    public async Task A_capture_from_a_new_authorization_makes_that_the_orders_hold()
    {
        await using var h = await SagaTestHarness.Start();
        await AwaitingCapture(h);

        await h.Publish(new PaymentCaptured(_orderId, "auth_2", "cap_2", new Money(96_500, "VND")));

        var order = await InState(h, m => m.ReadyForHandoff);
        order.AuthorizationId.ShouldBe("auth_2");
        order.CaptureId.ShouldBe("cap_2");
    }

    [Fact]
    public async Task A_declined_payment_rejects_the_order_and_releases_stock_then_slot()
    {
        await using var h = await SagaTestHarness.Start();
        var order = await Placed(h);

        await h.Publish(new PaymentDeclined(_orderId, "card_declined"));

        await InState(h, m => m.Rejected);
        (await h.Published<OrderRejected>(m => m.OrderId == _orderId)).Reason.ShouldBe(OrderRejectionReason.PaymentDeclined);
        (await h.PublishedInOrder(Compensations)).ShouldBe(
            [new ReleaseStock(_orderId, "hcm-01"), new ReleaseSlot(_orderId, order.SlotReservationId)]);
    }

    [Fact]
    public async Task An_authorization_that_faults_rejects_the_order_and_releases_stock_then_slot()
    {
        await using var h = await SagaTestHarness.Start(world: x => x.AddConsumer<BrokenPaymentProvider>());

        await h.Publish(Submitted);

        await InState(h, m => m.Rejected);
        (await h.Published<OrderRejected>(m => m.OrderId == _orderId)).Reason.ShouldBe(OrderRejectionReason.PaymentFailed);
        (await h.PublishedInOrder(Compensations)).ShouldBe(
            [new ReleaseStock(_orderId, "hcm-01"), new ReleaseSlot(_orderId, _reservationId)]);
    }

    [Fact]
    public async Task An_expired_slot_hold_rejects_the_order_and_a_late_authorization_is_voided()
    {
        await using var h = await SagaTestHarness.Start();
        var order = await Placed(h);

        await h.Publish(new SlotHoldExpired(_orderId, order.SlotReservationId, SlotId));
        await InState(h, m => m.Rejected);
        await h.Publish(new PaymentAuthorized(_orderId, "auth_late", new Money(98_900, "VND")));

        (await h.Published<OrderRejected>(m => m.OrderId == _orderId)).Reason.ShouldBe(OrderRejectionReason.SlotHoldExpired);
        (await h.PublishedInOrder(Compensations)).ShouldBe(
            [new ReleaseStock(_orderId, "hcm-01"), new VoidPaymentAuthorization(_orderId, "sandbox", "auth_late")]);
        (await h.CountPublished<ConfirmSlot>()).ShouldBe(0);
        (await StateAfterQuiet(h)).ShouldBe("Rejected");
    }

    [Fact]
    public async Task A_passed_cut_off_voids_the_payment_then_releases_stock()
    {
        await using var h = await SagaTestHarness.Start();
        var order = await Authorized(h);

        await h.Publish(new SlotCutOffPassed(_orderId, order.SlotReservationId, SlotId, DateTimeOffset.UtcNow.AddMinutes(-1)));

        await InState(h, m => m.Rejected);
        (await h.Published<OrderRejected>(m => m.OrderId == _orderId)).Reason.ShouldBe(OrderRejectionReason.SlotCutOffPassed);
        (await h.PublishedInOrder(Compensations)).ShouldBe(
            [new VoidPaymentAuthorization(_orderId, "sandbox", "auth_1"), new ReleaseStock(_orderId, "hcm-01")]);
    }

    [Fact]
    public async Task Cancelling_before_picking_starts_undoes_everything_newest_first()
    {
        await using var h = await SagaTestHarness.Start();
        var order = await Confirmed(h);
        await h.Published<StartPicking>(m => m.OrderId == _orderId);

        await h.Publish(new CancelOrder(_orderId, "Changed my mind"));

        var cancelled = await InState(h, m => m.Cancelled);
        cancelled.EndReason.ShouldBe("Changed my mind");
        (await h.Published<OrderCancelled>(m => m.OrderId == _orderId)).Reason.ShouldBe("Changed my mind");
        (await h.PublishedInOrder(Compensations)).ShouldBe(
        [
            new CancelPicking(_orderId),
            new VoidPaymentAuthorization(_orderId, "sandbox", "auth_1"),
            new ReleaseStock(_orderId, "hcm-01"),
            new ReleaseSlot(_orderId, order.SlotReservationId),
        ]);
    }

    [Fact]
    public async Task A_placed_order_starts_with_the_slot_and_stock_taken_at_checkout_and_asks_for_payment()
    {
        await using var h = await SagaTestHarness.Start();
        var entered = h.Transitions<OrderStateMachine, OrderState>(_orderId);

        var order = await Placed(h);

        order.SlotReservationId.ShouldBe(_reservationId);
        order.WindowStart.ShouldBe(_windowStart);
        order.WindowEnd.ShouldBe(_windowStart.AddHours(1));
        order.StockReservationRequested.ShouldBeTrue();
        (await h.Published<AuthorizePayment>(m => m.OrderId == _orderId)).Token.ShouldBe("tok_success");
        entered.Select(t => t.State).ShouldBe(["Initial", "AwaitingPayment"]);
    }

    [Fact]
    public async Task Cancelling_while_payment_is_authorized_releases_stock_and_slot_and_voids_a_late_authorization()
    {
        await using var h = await SagaTestHarness.Start();
        await Placed(h);

        await h.Publish(new CancelOrder(_orderId, "Wrong address"));
        await InState(h, m => m.Cancelled);
        await h.Publish(new PaymentAuthorized(_orderId, "auth_late", new Money(98_900, "VND")));

        (await h.Published<VoidPaymentAuthorization>(m => m.OrderId == _orderId)).AuthorizationId.ShouldBe("auth_late");
        (await h.PublishedInOrder(Compensations)).ShouldBe(
        [
            new ReleaseStock(_orderId, "hcm-01"),
            new ReleaseSlot(_orderId, _reservationId),
            new VoidPaymentAuthorization(_orderId, "sandbox", "auth_late"),
        ]);
        (await h.CountPublished<ConfirmSlot>()).ShouldBe(0);
        (await StateAfterQuiet(h)).ShouldBe("Cancelled");
    }

    [Fact]
    public async Task Cancelling_after_picking_started_is_refused()
    {
        await using var h = await SagaTestHarness.Start();
        await Picking(h);

        await h.Publish(new CancelOrder(_orderId, "Too late"));

        (await h.Published<OrderCancellationRefused>(m => m.OrderId == _orderId)).State.ShouldBe("Picking");
        (await StateAfterQuiet(h)).ShouldBe("Picking");
        (await h.PublishedInOrder(Compensations)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_failed_capture_returns_the_picked_goods_voids_the_payment_and_releases_the_slot()
    {
        await using var h = await SagaTestHarness.Start();
        var order = await AwaitingCapture(h);

        await h.Publish(new PaymentCaptureFailed(_orderId, "authorization_expired"));

        await InState(h, m => m.Rejected);
        (await h.Published<OrderRejected>(m => m.OrderId == _orderId)).Reason.ShouldBe(OrderRejectionReason.CaptureFailed);
        var undo = await h.PublishedInOrder(Compensations);
        undo.Select(u => u.GetType()).ShouldBe([typeof(VoidPaymentAuthorization), typeof(ReturnStock), typeof(ReleaseSlot)]);
        ((ReturnStock)undo[1]).Lines.ShouldBe([new StockLine("MILK-1L", 2), new StockLine("BANANA", 1.15m), new StockLine("YOGHURT", 1)]);
        ((ReleaseSlot)undo[2]).ReservationId.ShouldBe(order.SlotReservationId);
    }

    [Fact]
    public async Task An_order_with_every_line_refunded_is_not_charged()
    {
        await using var h = await SagaTestHarness.Start();
        var order = await Picking(h);

        await h.Publish(new PickingCompleted(_orderId, "hcm-01", []));

        await InState(h, m => m.Rejected);
        (await h.Published<OrderRejected>(m => m.OrderId == _orderId)).Reason.ShouldBe(OrderRejectionReason.NothingToDeliver);
        (await h.CountPublished<CapturePayment>()).ShouldBe(0);
        (await h.PublishedInOrder(Compensations)).ShouldBe(
            [new VoidPaymentAuthorization(_orderId, "sandbox", "auth_1"), new ReleaseSlot(_orderId, order.SlotReservationId)]);
    }

    [Fact]
    public async Task A_failed_delivery_after_capture_refunds_and_returns_stock()
    {
        await using var h = await SagaTestHarness.Start();
        await ReadyForHandoff(h);
        await h.Publish(new DeliveryHandedOff(_orderId, "courier-1"));
        await InState(h, m => m.OutForDelivery);

        await h.Publish(new DeliveryFailed(_orderId, "Customer not at home", 1));

        await InState(h, m => m.Refunding);
        (await h.Published<RefundPayment>(m => m.OrderId == _orderId)).ShouldBe(
            new RefundPayment(_orderId, "sandbox", "cap_1", new Money(96_500, "VND")));
        (await h.Published<ReturnStock>(m => m.OrderId == _orderId)).Lines.Count.ShouldBe(3);

        await h.Publish(new PaymentRefunded(_orderId, "re_1", new Money(96_500, "VND")));

        var refunded = await InState(h, m => m.Refunded);
        refunded.RefundedAmount.ShouldBe(96_500);
        (await h.Published<OrderRefunded>(m => m.OrderId == _orderId)).Reason.ShouldBe("Customer not at home");
    }

    [Fact]
    public async Task Picking_starts_at_the_lead_time_before_the_window_when_not_immediate()
    {
        await using var h = await SagaTestHarness.Start(order: o =>
        {
            o.StartPickingImmediately = false;
            // Picking falls due 3 s after the test began: long enough to see the order wait for it on a busy machine.
            o.PickingLeadTime = TimeSpan.FromHours(6) - TimeSpan.FromSeconds(3);
        });

        var confirmed = await Confirmed(h);
        confirmed.PickingDueToken.ShouldNotBeNull();
        confirmed.PickingRequested.ShouldBeFalse();

        (await h.Published<StartPicking>(m => m.OrderId == _orderId)).Lines.ShouldBe([Milk, Bananas]);
        (await InState(h, m => m.Confirmed)).PickingRequested.ShouldBeTrue();
    }

    [Fact]
    public async Task Cancelling_before_the_picking_time_cancels_the_scheduled_start()
    {
        // Picking due 3 s after the harness starts (the window was fixed when the test class was made, and a cold
        // start takes its time): the order is confirmed and cancelled before, and the quiet wait outlasts it.
        await using var h = await SagaTestHarness.Start(order: o =>
        {
            o.StartPickingImmediately = false;
            o.PickingLeadTime = _windowStart - DateTimeOffset.UtcNow - TimeSpan.FromSeconds(3);
        });
        await Confirmed(h);

        await h.Publish(new CancelOrder(_orderId, "Changed my mind"));

        (await InState(h, m => m.Cancelled)).PickingDueToken.ShouldBeNull();
        await h.Quiet(atLeast: TimeSpan.FromSeconds(4));
        (await h.CountPublished<StartPicking>()).ShouldBe(0);
        (await h.CountPublished<CancelPicking>()).ShouldBe(0);
    }

    [Fact]
    public async Task Duplicate_events_do_not_apply_twice()
    {
        await using var h = await SagaTestHarness.Start();
        await Authorized(h);

        await h.Publish(Submitted);
        await h.Publish(new PaymentAuthorized(_orderId, "auth_1", new Money(98_900, "VND")));

        (await h.CountPublished<AuthorizePayment>()).ShouldBe(1);
        (await h.CountPublished<ConfirmSlot>()).ShouldBe(1);
        (await StateAfterQuiet(h)).ShouldBe("AwaitingSlotConfirmation");
    }

    [Fact]
    public async Task Events_for_a_completed_order_are_ignored_and_cancellation_is_refused()
    {
        await using var h = await SagaTestHarness.Start();
        await ReadyForHandoff(h);
        await h.Publish(new DeliveryCompleted(_orderId, "courier-1"));
        await InState(h, m => m.Completed);

        await h.Publish(new DeliveryCompleted(_orderId, "courier-1"));
        await h.Publish(new DeliveryFailed(_orderId, "late report", 1));
        await h.Publish(new CancelOrder(_orderId, "after the fact"));

        (await h.Published<OrderCancellationRefused>(m => m.OrderId == _orderId)).State.ShouldBe("Completed");
        (await h.CountPublished<OrderCompleted>()).ShouldBe(1);
        (await h.CountPublished<OrderOutForDelivery>()).ShouldBe(1);
        (await h.CountPublished<RefundPayment>()).ShouldBe(0);
        (await StateAfterQuiet(h)).ShouldBe("Completed");
        h.Bus.Consumed.Select<Fault>().Take(1).Count().ShouldBe(0);
    }

    private sealed class BrokenPaymentProvider : IConsumer<AuthorizePayment>
    {
        public Task Consume(ConsumeContext<AuthorizePayment> context) => throw new HttpRequestException("Provider answered 503");
    }

    [Fact]
    public async Task An_operator_has_the_pending_payment_command_sent_again_with_the_same_key_in_each_waiting_state()
    {
        await using var h = await SagaTestHarness.Start();
        await Placed(h);
        var first = await h.Published<AuthorizePayment>(m => m.OrderId == _orderId);

        // Another saga's name, then this one's: only the second sends again, the same command.
        await h.Publish(new ResendPendingCommand(_orderId, "Picking", _orderId));
        (await h.CountPublished<AuthorizePayment>(m => m.OrderId == _orderId)).ShouldBe(1);
        await h.Publish(new ResendPendingCommand(_orderId, "Order", _orderId));
        (await h.CountPublished<AuthorizePayment>(m => m.OrderId == _orderId)).ShouldBe(2);
        h.Bus.Published.Select<AuthorizePayment>().Select(m => m.Context.Message).ShouldAllBe(m => m == first);
        (await StateAfterQuiet(h)).ShouldBe("AwaitingPayment");
    }

    [Fact]
    public async Task The_capture_and_the_refund_are_sent_again_on_request_and_nothing_is_in_a_state_that_waits_on_none()
    {
        await using var h = await SagaTestHarness.Start();
        await Confirmed(h);
        await h.Publish(new ResendPendingCommand(_orderId, "Order", _orderId));
        (await StateAfterQuiet(h)).ShouldBe("Confirmed");
        (await h.CountPublished<AuthorizePayment>(m => m.OrderId == _orderId)).ShouldBe(1, "Confirmed waits on no command of its own");

        await h.Publish(new PickingStarted(_orderId, "picker-7"));
        await h.Publish(new PickingCompleted(_orderId, "hcm-01", PickedLines));
        await InState(h, m => m.AwaitingCapture);
        await h.Publish(new ResendPendingCommand(_orderId, "Order", _orderId));
        (await h.CountPublished<CapturePayment>(m => m.OrderId == _orderId)).ShouldBe(2);

        await h.Publish(new PaymentCaptured(_orderId, "auth_1", "cap_1", new Money(96_500, "VND")));
        await InState(h, m => m.ReadyForHandoff);
        await h.Publish(new DeliveryFailed(_orderId, "Customer not at home", 1));
        await InState(h, m => m.Refunding);
        await h.Publish(new ResendPendingCommand(_orderId, "Order", _orderId));
        (await h.CountPublished<RefundPayment>(m => m.OrderId == _orderId)).ShouldBe(2);
        (await StateAfterQuiet(h)).ShouldBe("Refunding");
    }
}
