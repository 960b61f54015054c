using Grocery.Workflows.Contracts.Delivery;
using Grocery.Workflows.Contracts.Orders;
using Grocery.Workflows.Sagas.Delivery;
using MassTransit;

namespace Grocery.Workflows.Sagas.Tests;

public sealed class DeliverySagaTests
{
    private readonly Guid _orderId = Guid.NewGuid();
    private readonly DateTimeOffset _windowStart = DateTimeOffset.UtcNow.AddHours(1);

    private Task<DeliveryState> InState(SagaTestHarness h, Func<DeliveryStateMachine, State> state) =>
        h.InState<DeliveryStateMachine, DeliveryState>(_orderId, state);

    private Task<string?> StateAfterQuiet(SagaTestHarness h) => h.StateAfterQuiet<DeliveryStateMachine, DeliveryState>(_orderId);

    private async Task Assigned(SagaTestHarness h)
    {
        await h.Publish(new ArrangeDelivery(_orderId, "hcm-01", _windowStart, _windowStart.AddHours(1)));
        await h.Published<DispatchCourier>(m => m.OrderId == _orderId && m.Attempt == 1);
        await h.Publish(new CourierAccepted(_orderId, "courier-1", 1));
        await InState(h, m => m.CourierAssigned);
    }

    private async Task PickedUp(SagaTestHarness h)
    {
        await Assigned(h);
        await h.Publish(new ParcelPickedUp(_orderId, "courier-1"));
        await InState(h, m => m.PickedUp);
    }

    [Fact]
    public async Task A_courier_takes_the_parcel_and_delivers_it()
    {
        await using var h = await SagaTestHarness.Start();
        await PickedUp(h);
        (await h.Published<DeliveryHandedOff>(m => m.OrderId == _orderId)).CourierId.ShouldBe("courier-1");

        await h.Publish(new ParcelDelivered(_orderId, "courier-1"));

        var delivered = await InState(h, m => m.Delivered);
        delivered.DeliveryDeadlineToken.ShouldBeNull();
        (await h.Published<DeliveryCompleted>(m => m.OrderId == _orderId)).CourierId.ShouldBe("courier-1");
        (await h.CountPublished<CancelCourierDispatch>()).ShouldBe(0);
    }

    [Fact]
    public async Task Without_an_assignment_in_time_another_courier_is_booked()
    {
        await using var h = await SagaTestHarness.Start(delivery: d => d.CourierAssignmentTimeout = TimeSpan.FromMilliseconds(300));

        await h.Publish(new ArrangeDelivery(_orderId, "hcm-01", _windowStart, _windowStart.AddHours(1)));

        await h.Published<DispatchCourier>(m => m.OrderId == _orderId && m.Attempt == 2);
        (await h.Published<CancelCourierDispatch>(m => m.OrderId == _orderId)).ShouldBe(new CancelCourierDispatch(_orderId, 1, null));
        await h.Publish(new CourierAccepted(_orderId, "courier-2", 2));
        (await InState(h, m => m.CourierAssigned)).Attempt.ShouldBe(2);
    }

    [Fact]
    public async Task A_reported_no_show_books_another_courier()
    {
        await using var h = await SagaTestHarness.Start();
        await Assigned(h);

        await h.Publish(new CourierNoShow(_orderId, "courier-1", 1));

        (await h.Published<CancelCourierDispatch>(m => m.OrderId == _orderId)).ShouldBe(new CancelCourierDispatch(_orderId, 1, "courier-1"));
        await h.Published<DispatchCourier>(m => m.OrderId == _orderId && m.Attempt == 2);
        var again = await InState(h, m => m.AwaitingCourier);
        again.CourierId.ShouldBeNull();
        again.PickupToken.ShouldBeNull();
    }

    [Fact]
    public async Task A_courier_who_does_not_pick_up_in_time_is_replaced()
    {
        await using var h = await SagaTestHarness.Start(delivery: d => d.PickupTimeout = TimeSpan.FromMilliseconds(300));
        await Assigned(h);

        await h.Published<DispatchCourier>(m => m.OrderId == _orderId && m.Attempt == 2);
        (await InState(h, m => m.AwaitingCourier)).Attempt.ShouldBe(2);
    }

    [Fact]
    public async Task After_the_providers_last_attempt_the_store_fleet_is_booked_and_after_it_the_delivery_fails()
    {
        await using var h = await SagaTestHarness.Start(delivery: d =>
        {
            d.CourierAssignmentTimeout = TimeSpan.FromMilliseconds(200);
            d.MaxDispatchAttempts = 3;
        });

        await h.Publish(new ArrangeDelivery(_orderId, "hcm-01", _windowStart, _windowStart.AddHours(1)));

        await InState(h, m => m.Failed);
        var failed = await h.Published<DeliveryFailed>(m => m.OrderId == _orderId);
        failed.Attempts.ShouldBe(4);
        failed.Reason.ShouldContain("No courier");
        failed.Reason.ShouldContain("the store's fleet, after 3 attempts of the provider");
        (await h.CountPublished<DispatchCourier>()).ShouldBe(4);
        (await h.Published<DispatchCourier>(m => m.OrderId == _orderId && m.Attempt == 3)).StoreFleet.ShouldBeFalse();
        (await h.Published<DispatchCourier>(m => m.OrderId == _orderId && m.Attempt == 4)).StoreFleet.ShouldBeTrue();
        (await h.CountPublished<CancelCourierDispatch>()).ShouldBe(4);
    }

    [Fact]
    public async Task A_courier_who_cancels_is_replaced_by_another_booking()
    {
        await using var h = await SagaTestHarness.Start();
        await Assigned(h);

        await h.Publish(new CourierCancelled(_orderId, 1, "Driver cancelled"));

        (await h.Published<CancelCourierDispatch>(m => m.OrderId == _orderId)).ShouldBe(new CancelCourierDispatch(_orderId, 1, "courier-1"));
        (await h.Published<DispatchCourier>(m => m.OrderId == _orderId && m.Attempt == 2)).StoreFleet.ShouldBeFalse();
        var again = await InState(h, m => m.AwaitingCourier);
        again.CourierId.ShouldBeNull();
        again.PickupToken.ShouldBeNull();

        // A cancellation of the superseded booking changes nothing.
        await h.Publish(new CourierCancelled(_orderId, 1, "late report"));
        (await StateAfterQuiet(h)).ShouldBe(nameof(DeliveryStateMachine.AwaitingCourier));
        (await h.CountPublished<DispatchCourier>()).ShouldBe(2);
    }

    [Fact]
    public async Task A_booking_the_provider_refuses_goes_to_the_store_fleet_and_a_refusal_there_fails_the_delivery()
    {
        await using var h = await SagaTestHarness.Start();
        await h.Publish(new ArrangeDelivery(_orderId, "hcm-01", _windowStart, _windowStart.AddHours(1)));
        await h.Published<DispatchCourier>(m => m.OrderId == _orderId && m.Attempt == 1);

        await h.Publish(new CourierDispatchRefused(_orderId, 1, "Distance SLA exceeded"));

        (await h.Published<DispatchCourier>(m => m.OrderId == _orderId && m.Attempt == 2)).StoreFleet.ShouldBeTrue();
        (await InState(h, m => m.AwaitingCourier)).StoreFleet.ShouldBeTrue();

        await h.Publish(new CourierDispatchRefused(_orderId, 2, "No store fleet is configured (Couriers:Fallback)."));

        await InState(h, m => m.Failed);
        (await h.Published<DeliveryFailed>(m => m.OrderId == _orderId)).Reason.ShouldContain("No store fleet");
        (await h.CountPublished<CancelCourierDispatch>()).ShouldBe(0);
    }

    [Fact]
    public async Task The_courier_is_booked_at_the_windows_dispatch_time_after_a_quote()
    {
        await using var h = await SagaTestHarness.Start(delivery: d =>
        {
            d.DispatchImmediately = false;
            d.DispatchLeadTime = TimeSpan.FromMinutes(45);
        });
        var windowStart = DateTimeOffset.UtcNow.AddHours(3);

        await h.Publish(new ArrangeDelivery(_orderId, "hcm-01", windowStart, windowStart.AddHours(1)));

        await h.Published<QuoteDelivery>(m => m.OrderId == _orderId);
        await h.Publish(new DeliveryQuoted(_orderId, "grab", new Contracts.Money(32_000, "VND"), windowStart, null));
        (await StateAfterQuiet(h)).ShouldBe(nameof(DeliveryStateMachine.AwaitingDispatchTime));
        (await h.CountPublished<DispatchCourier>()).ShouldBe(0);
        var waiting = await InState(h, m => m.AwaitingDispatchTime);
        waiting.DispatchDueToken.ShouldNotBeNull();
        waiting.QuotedFee.ShouldBe(32_000);

        // What the scheduler delivers at the window's start less the lead time.
        await h.Publish(new CourierDispatchDue(_orderId));

        await h.Published<DispatchCourier>(m => m.OrderId == _orderId && m.Attempt == 1);
        var booked = await InState(h, m => m.AwaitingCourier);
        booked.QuotedFee.ShouldBe(32_000);
        booked.QuoteCurrency.ShouldBe("VND");
    }

    [Fact]
    public async Task A_delivery_cancelled_before_its_dispatch_time_books_nobody()
    {
        await using var h = await SagaTestHarness.Start(delivery: d => d.DispatchImmediately = false);

        await h.Publish(new ArrangeDelivery(_orderId, "hcm-01", DateTimeOffset.UtcNow.AddHours(5), DateTimeOffset.UtcNow.AddHours(6)));
        await InState(h, m => m.AwaitingDispatchTime);
        await h.Publish(new CancelDelivery(_orderId, "Customer moved"));

        var cancelled = await InState(h, m => m.Cancelled);
        cancelled.DispatchDueToken.ShouldBeNull();
        (await h.Published<DeliveryFailed>(m => m.OrderId == _orderId)).Reason.ShouldBe("Cancelled: Customer moved");
        (await h.CountPublished<DispatchCourier>()).ShouldBe(0);
        (await h.CountPublished<CancelCourierDispatch>()).ShouldBe(0);
    }

    [Fact]
    public async Task A_booking_given_to_another_courier_of_the_provider_follows_the_new_courier()
    {
        await using var h = await SagaTestHarness.Start();
        await Assigned(h);

        await h.Publish(new CourierAccepted(_orderId, "courier-7", 1));
        await h.Publish(new ParcelPickedUp(_orderId, "courier-7"));

        (await InState(h, m => m.PickedUp)).CourierId.ShouldBe("courier-7");
        (await h.Published<DeliveryHandedOff>(m => m.OrderId == _orderId)).CourierId.ShouldBe("courier-7");
        (await h.CountPublished<CancelCourierDispatch>()).ShouldBe(0);
    }

    [Fact]
    public async Task A_failed_drop_off_fails_the_delivery()
    {
        await using var h = await SagaTestHarness.Start();
        await PickedUp(h);

        await h.Publish(new DeliveryAttemptFailed(_orderId, "courier-1", "Customer not at home"));

        (await InState(h, m => m.Failed)).FailureReason.ShouldBe("Customer not at home");
        (await h.Published<DeliveryFailed>(m => m.OrderId == _orderId)).Reason.ShouldBe("Customer not at home");
    }

    [Fact]
    public async Task A_parcel_not_delivered_in_time_fails_the_delivery()
    {
        await using var h = await SagaTestHarness.Start(delivery: d => d.DeliveryTimeout = TimeSpan.FromMilliseconds(300));
        await PickedUp(h);

        await InState(h, m => m.Failed);
        (await h.Published<DeliveryFailed>(m => m.OrderId == _orderId)).Reason.ShouldContain("not delivered in time");
        await h.Publish(new ParcelDelivered(_orderId, "courier-1"));
        (await StateAfterQuiet(h)).ShouldBe("Failed");
        (await h.CountPublished<DeliveryCompleted>()).ShouldBe(0);
    }

    [Fact]
    public async Task Cancelling_before_pick_up_cancels_the_booking_and_fails_the_delivery()
    {
        await using var h = await SagaTestHarness.Start();
        await Assigned(h);

        await h.Publish(new CancelDelivery(_orderId, "Store closed early"));

        await InState(h, m => m.Cancelled);
        await h.Published<CancelCourierDispatch>(m => m.OrderId == _orderId && m.CourierId == "courier-1");
        (await h.Published<DeliveryFailed>(m => m.OrderId == _orderId)).Reason.ShouldBe("Cancelled: Store closed early");
    }

    [Fact]
    public async Task A_late_acceptance_from_a_superseded_booking_is_cancelled()
    {
        await using var h = await SagaTestHarness.Start();
        await Assigned(h);
        await h.Publish(new CourierNoShow(_orderId, "courier-1", 1));
        await h.Published<DispatchCourier>(m => m.OrderId == _orderId && m.Attempt == 2);

        await h.Publish(new CourierAccepted(_orderId, "courier-1", 1));

        await h.Published<CancelCourierDispatch>(m => m.OrderId == _orderId && m.Attempt == 1 && m.CourierId == "courier-1");
        (await StateAfterQuiet(h)).ShouldBe("AwaitingCourier");
        (await InState(h, m => m.AwaitingCourier)).Attempt.ShouldBe(2);
    }

    [Fact]
    public async Task A_pick_up_that_overtakes_the_acceptance_hands_off_to_that_courier()
    {
        await using var h = await SagaTestHarness.Start();
        await h.Publish(new ArrangeDelivery(_orderId, "hcm-01", _windowStart, _windowStart.AddHours(1)));
        await InState(h, m => m.AwaitingCourier);

        await h.Publish(new ParcelPickedUp(_orderId, "courier-5"));
        var pickedUp = await InState(h, m => m.PickedUp);
        pickedUp.CourierId.ShouldBe("courier-5");
        pickedUp.CourierAssignmentToken.ShouldBeNull();
        await h.Publish(new CourierAccepted(_orderId, "courier-5", 1));

        (await StateAfterQuiet(h)).ShouldBe("PickedUp");
        (await h.CountPublished<CancelCourierDispatch>()).ShouldBe(0);
        (await h.Published<DeliveryHandedOff>(m => m.OrderId == _orderId)).CourierId.ShouldBe("courier-5");
    }

    [Fact]
    public async Task A_delivery_that_overtakes_the_pick_up_hands_off_then_completes_and_the_late_pick_up_is_ignored()
    {
        await using var h = await SagaTestHarness.Start();
        await Assigned(h);

        await h.Publish(new ParcelDelivered(_orderId, "courier-1"));
        var delivered = await InState(h, m => m.Delivered);
        await h.Publish(new ParcelPickedUp(_orderId, "courier-1"));

        (await StateAfterQuiet(h)).ShouldBe("Delivered");
        delivered.PickupToken.ShouldBeNull();
        delivered.DeliveryDeadlineToken.ShouldBeNull();
        (await h.PublishedInOrder(typeof(DeliveryHandedOff), typeof(DeliveryCompleted))).ShouldBe(
            [new DeliveryHandedOff(_orderId, "courier-1"), new DeliveryCompleted(_orderId, "courier-1")]);
        (await h.CountPublished<CancelCourierDispatch>()).ShouldBe(0);
    }

    [Fact]
    public async Task A_failed_drop_off_that_overtakes_the_pick_up_hands_off_then_fails()
    {
        await using var h = await SagaTestHarness.Start();
        await h.Publish(new ArrangeDelivery(_orderId, "hcm-01", _windowStart, _windowStart.AddHours(1)));
        await InState(h, m => m.AwaitingCourier);

        await h.Publish(new DeliveryAttemptFailed(_orderId, "courier-4", "Nobody home"));

        var failed = await InState(h, m => m.Failed);
        failed.CourierAssignmentToken.ShouldBeNull();
        (await h.PublishedInOrder(typeof(DeliveryHandedOff), typeof(DeliveryFailed))).ShouldBe(
            [new DeliveryHandedOff(_orderId, "courier-4"), new DeliveryFailed(_orderId, "Nobody home", 1)]);
    }

    [Fact]
    public async Task A_duplicate_delivery_report_completes_once()
    {
        await using var h = await SagaTestHarness.Start();
        await PickedUp(h);

        await h.Publish(new ParcelDelivered(_orderId, "courier-1"));
        await InState(h, m => m.Delivered);
        await h.Publish(new ParcelDelivered(_orderId, "courier-1"));
        await h.Publish(new CourierNoShow(_orderId, "courier-1", 1));

        (await h.CountPublished<DeliveryCompleted>()).ShouldBe(1);
        (await StateAfterQuiet(h)).ShouldBe("Delivered");
    }

    [Fact]
    public async Task A_courier_is_asked_for_again_on_request_for_the_same_attempt_and_not_once_one_is_assigned()
    {
        await using var h = await SagaTestHarness.Start();
        await h.Publish(new ArrangeDelivery(_orderId, "hcm-01", _windowStart, _windowStart.AddHours(1)));
        await InState(h, m => m.AwaitingCourier);

        await h.Publish(new ResendPendingCommand(_orderId, "DeliveryHandoff", _orderId));
        (await h.CountPublished<DispatchCourier>(m => m.OrderId == _orderId && m.Attempt == 1)).ShouldBe(2);

        await h.Publish(new CourierAccepted(_orderId, "courier-1", 1));
        await InState(h, m => m.CourierAssigned);
        await h.Publish(new ResendPendingCommand(_orderId, "DeliveryHandoff", _orderId));
        (await h.CountPublished<DispatchCourier>(m => m.OrderId == _orderId)).ShouldBe(2);
    }
}
