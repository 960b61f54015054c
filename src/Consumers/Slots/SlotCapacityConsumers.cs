using Grocery.Workflows.Contracts.Slots;
using MassTransit;

namespace Grocery.Workflows.Consumers.Slots;

/// <summary>The outcome of a hold attempt: the window it holds, or why not.</summary>
public sealed record SlotHoldResult(bool Held, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, DateTimeOffset CutOffAt, string? Reason)
{
    public static SlotHoldResult Unavailable(string reason) => new(false, default, default, default, reason);
}

/// <summary>Slot capacity as the consumers see it: no slot is ever held or booked beyond its capacity.</summary>
public interface ISlotCapacity
{
    Task<SlotHoldResult> Hold(Guid orderId, Guid reservationId, string storeId, Guid slotId, CancellationToken cancellationToken);

    Task<bool> HasRoomToExtend(Guid reservationId, CancellationToken cancellationToken);

    Task Confirm(Guid reservationId, CancellationToken cancellationToken);

    Task Release(Guid reservationId, CancellationToken cancellationToken);
}

public sealed class ReserveSlotCapacityConsumer(ISlotCapacity slots) : IConsumer<ReserveSlotCapacity>
{
    public async Task Consume(ConsumeContext<ReserveSlotCapacity> context)
    {
        var m = context.Message;
        var hold = await slots.Hold(m.OrderId, m.ReservationId, m.StoreId, m.SlotId, context.CancellationToken);
        if (hold.Held)
        {
            await context.Publish(new SlotCapacityReserved(m.OrderId, m.ReservationId, m.SlotId, hold.WindowStart, hold.WindowEnd, hold.CutOffAt));
        }
        else
        {
            await context.Publish(new SlotCapacityUnavailable(m.OrderId, m.ReservationId, m.SlotId, hold.Reason ?? "unavailable"));
        }
    }
}

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
