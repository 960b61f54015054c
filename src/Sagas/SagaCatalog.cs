using Grocery.Workflows.Sagas.Delivery;
using Grocery.Workflows.Sagas.Orders;
using Grocery.Workflows.Sagas.Picking;
using Grocery.Workflows.Sagas.Slots;
using Grocery.Workflows.Sagas.Substitutions;

namespace Grocery.Workflows.Sagas;

/// <summary>
/// The five sagas by the names ops and the API use for them, with their state and machine types, and the states an
/// instance may rest in for good (its work is done): an instance waiting long in any other state is stuck.
/// </summary>
public static class SagaCatalog
{
    public sealed record Entry(string Name, Type StateType, Type MachineType, IReadOnlySet<string> RestingStates);

    /// <summary>The order's own saga; its resting states are the ends of an order.</summary>
    public static Entry Order { get; } = new("Order", typeof(OrderState), typeof(OrderStateMachine), Set("Completed", "Rejected", "Cancelled", "Refunded"));

    public static IReadOnlyList<Entry> All { get; } =
    [
        Order,
        new("SlotReservation", typeof(SlotReservationState), typeof(SlotReservationStateMachine), Set("Confirmed", "Expired", "Released", "Unavailable")),
        new("Picking", typeof(PickingState), typeof(PickingStateMachine), Set("Completed", "Cancelled")),
        new("SubstitutionApproval", typeof(SubstitutionState), typeof(SubstitutionStateMachine), Set("Decided", "Withdrawn")),
        new("DeliveryHandoff", typeof(DeliveryState), typeof(DeliveryStateMachine), Set("Delivered", "Failed", "Cancelled")),
    ];

    private static HashSet<string> Set(params string[] states) => new(states, StringComparer.Ordinal);

    public static Entry? Find(string name) =>
        All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
}
