using Grocery.Workflows.Contracts.Delivery;
using Grocery.Workflows.Contracts.Payments;
using Grocery.Workflows.Contracts.Picking;
using Grocery.Workflows.Sagas.Picking;
using Grocery.Workflows.Sagas.Slots;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Tests;

/// <summary>The parts of the world outside the engine, played in-process: a payment provider that always says yes,
/// a picker who picks every line in full, a courier who always comes.</summary>
public static class TestWorld
{
    public static void AddTo(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<Payments>();
        bus.AddConsumer<Picker>();
        bus.AddConsumer<Courier>();
    }

    /// <summary>
    /// Says yes once the slot saga has heard of the order's hold. Checkout's two events travel to different queues, so
    /// without the wait a quick payment can overtake the hold: the order's inline ConfirmSlot and the slot saga's
    /// SlotHoldTaken then both create the slot saga, one of them retries, and a retried step travels instead of being
    /// applied inline. That path is right (the slot saga's AwaitingHold) and tested in the harness; it is not what the
    /// tests using this world count.
    /// </summary>
    public sealed class Payments(WorkflowDbContext db) : IConsumer<AuthorizePayment>, IConsumer<CapturePayment>
    {
        public async Task Consume(ConsumeContext<AuthorizePayment> context)
        {
            var orderId = context.Message.OrderId;
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            patience.CancelAfter(TimeSpan.FromSeconds(30));
            while (!await db.Set<SlotReservationState>().AsNoTracking().AnyAsync(s => s.OrderId == orderId, patience.Token))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), patience.Token);
            }

            await context.Publish(new PaymentAuthorized(orderId, "auth-" + orderId.ToString("N"), context.Message.Amount));
        }

        public Task Consume(ConsumeContext<CapturePayment> context) =>
            context.Publish(new PaymentCaptured(context.Message.OrderId, context.Message.AuthorizationId, "cap-" + context.Message.OrderId.ToString("N"), context.Message.Amount));
    }

    /// <summary>Reacts only to what leaves the engine (<see cref="PickingQueued"/>): the sagas' messages to each other may never travel.</summary>
    public sealed class Picker(WorkflowDbContext db) : IConsumer<PickingQueued>
    {
        public async Task Consume(ConsumeContext<PickingQueued> context)
        {
            var orderId = context.Message.OrderId;
            var picking = await db.Set<PickingState>().AsNoTracking().SingleAsync(p => p.CorrelationId == orderId, context.CancellationToken);
            await context.Publish(new PickerAssigned(orderId, "picker-1"));
            await context.Publish(new PickerStarted(orderId, "picker-1"));
            await context.Publish(new PickListReported(orderId, "picker-1", [.. picking.Lines.Select(l => PickListLine.Picked(l.Sku, l.Quantity))]));
        }
    }

    public sealed class Courier : IConsumer<DispatchCourier>
    {
        public async Task Consume(ConsumeContext<DispatchCourier> context)
        {
            await context.Publish(new CourierAccepted(context.Message.OrderId, "courier-1", context.Message.Attempt));
            await context.Publish(new ParcelPickedUp(context.Message.OrderId, "courier-1"));
            await context.Publish(new ParcelDelivered(context.Message.OrderId, "courier-1"));
        }
    }
}
