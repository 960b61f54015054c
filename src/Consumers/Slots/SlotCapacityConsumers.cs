using Grocery.Workflows.Contracts.Slots;
using MassTransit;

namespace Grocery.Workflows.Consumers.Slots;

public sealed class ExtendSlotCapacityHoldConsumer(ISlotCapacity slots) : IConsumer<ExtendSlotCapacityHold>
{
    public async Task Consume(ConsumeContext<ExtendSlotCapacityHold> context)
    {
        var m = context.Message;
        if (await slots.HasRoomToExtend(m.ReservationId, context.CancellationToken))
        {
            await context.Publish(new SlotCapacityHoldExtended(m.OrderId, m.ReservationId));
        }
        else
        {
            await context.Publish(new SlotCapacityHoldExtensionRefused(m.OrderId, m.ReservationId, "The slot is full"));
        }
    }
}

public sealed class ConfirmSlotCapacityConsumer(ISlotCapacity slots) : IConsumer<ConfirmSlotCapacity>
{
    public Task Consume(ConsumeContext<ConfirmSlotCapacity> context) => slots.Confirm(context.Message.ReservationId, context.CancellationToken);
}

public sealed class ReleaseSlotCapacityConsumer(ISlotCapacity slots) : IConsumer<ReleaseSlotCapacity>
{
    public Task Consume(ConsumeContext<ReleaseSlotCapacity> context) => slots.Release(context.Message.ReservationId, context.CancellationToken);
}
