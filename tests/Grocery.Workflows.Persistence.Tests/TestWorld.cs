using Grocery.Workflows.Contracts.Delivery;
using Grocery.Workflows.Contracts.Payments;
using Grocery.Workflows.Contracts.Picking;
using Grocery.Workflows.Sagas.Picking;
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

    public sealed class Payments : IConsumer<AuthorizePayment>, IConsumer<CapturePayment>
    {
        public Task Consume(ConsumeContext<AuthorizePayment> context) =>
            context.Publish(new PaymentAuthorized(context.Message.OrderId, "auth-" + context.Message.OrderId.ToString("N"), context.Message.Amount));

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
