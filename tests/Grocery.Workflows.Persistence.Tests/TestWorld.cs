using Grocery.Workflows.Contracts.Delivery;
using Grocery.Workflows.Contracts.Payments;
using Grocery.Workflows.Contracts.Picking;
using MassTransit;

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

    public sealed class Picker : IConsumer<StartPicking>, IConsumer<PickingQueued>, IConsumer<PickingStarted>
    {
        private static readonly Dictionary<Guid, StartPicking> Orders = [];

        public Task Consume(ConsumeContext<StartPicking> context)
        {
            lock (Orders)
            {
                Orders[context.Message.OrderId] = context.Message;
            }

            return Task.CompletedTask;
        }

        public async Task Consume(ConsumeContext<PickingQueued> context)
        {
            await context.Publish(new PickerAssigned(context.Message.OrderId, "picker-1"));
            await context.Publish(new PickerStarted(context.Message.OrderId, "picker-1"));
        }

        public async Task Consume(ConsumeContext<PickingStarted> context)
        {
            StartPicking? order;
            lock (Orders)
            {
                Orders.TryGetValue(context.Message.OrderId, out order);
            }

            if (order is null)
            {
                throw new InvalidOperationException("PickingStarted before StartPicking was seen; retried");
            }

            await context.Publish(new PickListReported(order.OrderId, context.Message.PickerId, [.. order.Lines.Select(l => PickListLine.Picked(l.Sku, l.Quantity))]));
        }
    }

    public sealed class Courier : IConsumer<DispatchCourier>, IConsumer<DeliveryHandedOff>
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
