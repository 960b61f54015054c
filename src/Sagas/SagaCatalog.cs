using Grocery.Workflows.Sagas.Delivery;
using Grocery.Workflows.Sagas.Orders;
using Grocery.Workflows.Sagas.Picking;
using Grocery.Workflows.Sagas.Slots;
using Grocery.Workflows.Sagas.Substitutions;

namespace Grocery.Workflows.Sagas;

/// <summary>The five sagas by the names ops and the API use for them, with their state and machine types.</summary>
public static class SagaCatalog
{
    public sealed record Entry(string Name, Type StateType, Type MachineType);

    public static IReadOnlyList<Entry> All { get; } =
    [
        new("Order", typeof(OrderState), typeof(OrderStateMachine)),
        new("SlotReservation", typeof(SlotReservationState), typeof(SlotReservationStateMachine)),
        new("Picking", typeof(PickingState), typeof(PickingStateMachine)),
        new("SubstitutionApproval", typeof(SubstitutionState), typeof(SubstitutionStateMachine)),
        new("DeliveryHandoff", typeof(DeliveryState), typeof(DeliveryStateMachine)),
    ];

    public static Entry? Find(string name) =>
        All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
}
