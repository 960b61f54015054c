using Grocery.Workflows.Sagas.Delivery;
using Grocery.Workflows.Sagas.Orders;
using Grocery.Workflows.Sagas.Picking;
using Grocery.Workflows.Sagas.Slots;
using Grocery.Workflows.Sagas.Substitutions;

namespace Grocery.Workflows.Sagas;

/// <summary>
/// The engine's sagas, each declared by its own machine. Registration, the database mapping, settings, the timeline,
/// metrics, the ops views and the test harnesses all iterate this list: adding a saga is its folder and one line here.
/// </summary>
public static class SagaCatalog
{
    public static IReadOnlyList<SagaDescriptor> All { get; } =
    [
        OrderStateMachine.Saga,
        SlotReservationStateMachine.Saga,
        PickingStateMachine.Saga,
        SubstitutionStateMachine.Saga,
        DeliveryStateMachine.Saga,
    ];

    /// <summary>The order's own saga; its resting states are the ends of an order.</summary>
    public static SagaDescriptor Order => OrderStateMachine.Saga;

    public static SagaDescriptor? Find(string name) =>
        All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
}
