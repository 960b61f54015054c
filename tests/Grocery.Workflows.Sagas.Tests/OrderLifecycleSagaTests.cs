using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Delivery;
using Grocery.Workflows.Contracts.Orders;
using Grocery.Workflows.Contracts.Payments;
using Grocery.Workflows.Contracts.Picking;
using Grocery.Workflows.Contracts.Slots;
using Grocery.Workflows.Contracts.Stock;
using Grocery.Workflows.Contracts.Substitutions;
using Grocery.Workflows.Sagas.Delivery;
using Grocery.Workflows.Sagas.Orders;
using Grocery.Workflows.Sagas.Picking;
using Grocery.Workflows.Sagas.Slots;
using Grocery.Workflows.Sagas.Substitutions;
using MassTransit;

namespace Grocery.Workflows.Sagas.Tests;

/// <summary>
/// All five sagas together, with the test playing the world around them: checkout (which holds the slot and reserves the
/// stock), the payment provider, a picker (bananas short, plantain proposed), the customer (approves) and the courier.
/// </summary>
public sealed class OrderLifecycleSagaTests
{
    private static readonly Guid SlotId = Guid.Parse("5a1e0000-0000-0000-0000-000000000003");
    private readonly Guid _orderId = Guid.NewGuid();
    private readonly HeldSlot _hold = new(Guid.NewGuid(), DateTimeOffset.UtcNow.AddHours(3), DateTimeOffset.UtcNow.AddHours(4),
        DateTimeOffset.UtcNow.AddHours(2), DateTimeOffset.UtcNow.AddHours(1));

    private OrderSubmitted Submitted => new(_orderId, "cust-7", "sgp-01", SlotId, "SGD",
    [
        new OrderLine("MILK-1L", "Fresh milk 1 L", SaleUnit.Each, 2, 395),
        new OrderLine("BANANA", "Bananas", SaleUnit.Kilogram, 1.2m, 329),
    ], new PaymentMethod("sandbox", "tok_success"), SubstitutionPreference.Ask, DateTimeOffset.UtcNow, _hold);

    /// <summary>What checkout commits for a placed order: the slot hold it took, and the order.</summary>
    private async Task Checkout(SagaTestHarness h)
    {
        await h.Publish(new SlotHoldTaken(_orderId, _hold, "sgp-01", SlotId));
        await h.Publish(Submitted);
    }

    private static void World(IBusRegistrationConfigurator x, bool courierShows = true)
    {
        x.AddConsumer<PaymentProvider>();
        x.AddConsumer<Picker>();
        x.AddConsumer<Customer>();
        if (courierShows)
        {
            x.AddConsumer<Courier>();
        }
    }

    [Fact]
    public async Task An_order_with_a_shortage_completes_through_all_five_sagas()
    {
        await using var h = await SagaTestHarness.Start(world: x => World(x));

        await Checkout(h);

        var order = await h.InState<OrderStateMachine, OrderState>(_orderId, m => m.Completed);
        // Estimate 7.90 + 3.95 = 11.85, authorized with 15 % margin: 13.6275 -> 13.63 (rounded up).
        // Picked: 2 x 3.95 milk + 1.2 kg plantain at 2.89/kg (3.468 -> 3.47) replacing the bananas.
        order.PickedTotal.ShouldBe(790 + 347);
        (await h.Published<OrderCompleted>(m => m.OrderId == _orderId)).Captured.ShouldBe(new Money(1_137, "SGD"));
        (await h.Published<AuthorizePayment>(m => m.OrderId == _orderId)).Amount.ShouldBe(new Money(1_363, "SGD"));

        await h.InState<SlotReservationStateMachine, SlotReservationState>(order.SlotReservationId, m => m.Confirmed);
        var picking = await h.InState<PickingStateMachine, PickingState>(_orderId, m => m.Completed);
        await h.InState<SubstitutionStateMachine, SubstitutionState>(picking.SubstitutionRoundId!.Value, m => m.Decided);
        await h.InState<DeliveryStateMachine, DeliveryState>(_orderId, m => m.Delivered);
        (await h.PublishedInOrder(typeof(ReleaseSlot), typeof(ReleaseStock), typeof(VoidPaymentAuthorization))).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_delivery_without_couriers_ends_with_the_order_refunded_and_its_stock_returned()
    {
        await using var h = await SagaTestHarness.Start(
            world: x => World(x, courierShows: false),
            delivery: d =>
            {
                d.CourierAssignmentTimeout = TimeSpan.FromMilliseconds(150);
                d.MaxDispatchAttempts = 3;
            });

        await Checkout(h);

        var order = await h.InState<OrderStateMachine, OrderState>(_orderId, m => m.Refunded);
        order.RefundedAmount.ShouldBe(order.CapturedAmount);
        order.EndReason!.ShouldContain("3 attempts");
        (await h.Published<ReturnStock>(m => m.OrderId == _orderId)).Lines.Select(l => l.Sku).ShouldBe(["MILK-1L", "PLANTAIN"]);
        // Three couriers of the provider, then the store's own fleet.
        (await h.Published<DeliveryFailed>(m => m.OrderId == _orderId)).Attempts.ShouldBe(4);
        await h.InState<DeliveryStateMachine, DeliveryState>(_orderId, m => m.Failed);
    }

    private sealed class PaymentProvider : IConsumer<AuthorizePayment>, IConsumer<CapturePayment>, IConsumer<RefundPayment>
    {
        public Task Consume(ConsumeContext<AuthorizePayment> context) =>
            context.Publish(new PaymentAuthorized(context.Message.OrderId, "pi_" + context.Message.OrderId.ToString("N"), context.Message.Amount));

        public Task Consume(ConsumeContext<CapturePayment> context) =>
            context.Publish(new PaymentCaptured(context.Message.OrderId, context.Message.AuthorizationId, "ch_1", context.Message.Amount));

        public Task Consume(ConsumeContext<RefundPayment> context) =>
            context.Publish(new PaymentRefunded(context.Message.OrderId, "re_1", context.Message.Amount));
    }

    private sealed class Picker : IConsumer<PickingQueued>, IConsumer<PickingStarted>
    {
        public async Task Consume(ConsumeContext<PickingQueued> context)
        {
            await context.Publish(new PickerAssigned(context.Message.OrderId, "picker-1"));
            await context.Publish(new PickerStarted(context.Message.OrderId, "picker-1"));
        }

        public async Task Consume(ConsumeContext<PickingStarted> context)
        {
            var id = context.Message.OrderId;
            await context.Publish(new PickListReported(id, "picker-1",
                [PickListLine.Picked("MILK-1L", 2), PickListLine.PickedShort("BANANA", 0, new OrderLine("PLANTAIN", "Plantain", SaleUnit.Kilogram, 1.2m, 289))]));
        }
    }

    private sealed class Customer : IConsumer<SubstitutionsProposed>
    {
        public Task Consume(ConsumeContext<SubstitutionsProposed> context) =>
            context.Publish(new AnswerSubstitutions(context.Message.OrderId, context.Message.RoundId,
                [.. context.Message.Lines.Select(l => new CustomerAnswer(l.Sku, Approve: true))]));
    }

    private sealed class Courier : IConsumer<DispatchCourier>, IConsumer<DeliveryHandedOff>
    {
        public async Task Consume(ConsumeContext<DispatchCourier> context)
        {
            await context.Publish(new CourierAccepted(context.Message.OrderId, "courier-1", context.Message.Attempt));
            await context.Publish(new ParcelPickedUp(context.Message.OrderId, "courier-1"));
        }

        public Task Consume(ConsumeContext<DeliveryHandedOff> context) =>
            context.Publish(new ParcelDelivered(context.Message.OrderId, context.Message.CourierId));
    }
}
