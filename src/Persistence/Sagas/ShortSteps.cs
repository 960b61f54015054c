using Grocery.Workflows.Consumers.Slots;
using Grocery.Workflows.Consumers.Stock;
using Grocery.Workflows.Contracts.Delivery;
using Grocery.Workflows.Contracts.Picking;
using Grocery.Workflows.Contracts.Slots;
using Grocery.Workflows.Contracts.Stock;
using Grocery.Workflows.Contracts.Substitutions;
using Grocery.Workflows.Messaging;
using Grocery.Workflows.Sagas.Delivery;
using Grocery.Workflows.Sagas.Orders;
using Grocery.Workflows.Sagas.Picking;
using Grocery.Workflows.Sagas.Slots;
using Grocery.Workflows.Sagas.Substitutions;
using MassTransit;

namespace Grocery.Workflows.Persistence.Sagas;

/// <summary>
/// The messages an engine that hosts the sagas and the stock and slot consumers applies in the transaction that sends
/// them (see <c>InlineSteps</c> in src/Messaging/Outbox): each has one consumer, in this engine, writing only to its
/// stores. What leaves the engine (payments, pickers, couriers, customers) and what waits for a due time still travels.
/// </summary>
public static class ShortSteps
{
    public static IBusRegistrationConfigurator ApplyShortSteps(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);

        // Ledger and capacity writes.
        bus.ApplyInline<ConfirmSlotCapacityConsumer, ConfirmSlotCapacity>();
        bus.ApplyInline<CommitPickedStockConsumer, CommitPickedStock>();

        // One saga telling another, on the happy path: the order confirms its slot, starts picking, hears how picking
        // went, hands the parcel to delivery and hears back; picking asks the customer's substitution round and hears its
        // decision. Each saga still owns its instance, its states and its timeline.
        bus.ApplyInlineSaga<SlotReservationState, ConfirmSlot>();
        bus.ApplyInlineSaga<OrderState, SlotConfirmed>();
        bus.ApplyInlineSaga<PickingState, StartPicking>();
        bus.ApplyInlineSaga<OrderState, PickingStarted>();
        bus.ApplyInlineSaga<SubstitutionState, ProposeSubstitutions>();
        bus.ApplyInlineSaga<PickingState, SubstitutionsDecided>();
        bus.ApplyInlineSaga<OrderState, PickingCompleted>();
        bus.ApplyInlineSaga<DeliveryState, ArrangeDelivery>();
        bus.ApplyInlineSaga<OrderState, DeliveryHandedOff>();
        bus.ApplyInlineSaga<OrderState, DeliveryCompleted>();
        return bus;
    }
}
