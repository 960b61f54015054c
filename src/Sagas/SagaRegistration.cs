using Grocery.Workflows.Sagas.Delivery;
using Grocery.Workflows.Sagas.Orders;
using Grocery.Workflows.Sagas.Picking;
using Grocery.Workflows.Sagas.Slots;
using Grocery.Workflows.Sagas.Substitutions;
using MassTransit;

namespace Grocery.Workflows.Sagas;

public static class SagaRegistration
{
    /// <summary>
    /// Registers the five grocery sagas with the repository that the configurator provides (in-memory by default).
    /// Their settings (<see cref="OrderSagaSettings"/> and friends) and a <see cref="TimeProvider"/> must be services.
    /// </summary>
    public static IBusRegistrationConfigurator AddGrocerySagas(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddSagaStateMachine<OrderStateMachine, OrderState, GrocerySagaDefinition<OrderState>>();
        bus.AddSagaStateMachine<SlotReservationStateMachine, SlotReservationState, GrocerySagaDefinition<SlotReservationState>>();
        bus.AddSagaStateMachine<PickingStateMachine, PickingState, GrocerySagaDefinition<PickingState>>();
        bus.AddSagaStateMachine<SubstitutionStateMachine, SubstitutionState, GrocerySagaDefinition<SubstitutionState>>();
        bus.AddSagaStateMachine<DeliveryStateMachine, DeliveryState, GrocerySagaDefinition<DeliveryState>>();
        return bus;
    }
}
