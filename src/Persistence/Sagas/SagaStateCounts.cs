using Grocery.Workflows.Sagas;
using Grocery.Workflows.Sagas.Delivery;
using Grocery.Workflows.Sagas.Orders;
using Grocery.Workflows.Sagas.Picking;
using Grocery.Workflows.Sagas.Slots;
using Grocery.Workflows.Sagas.Substitutions;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Sagas;

/// <summary>How many instances of a saga are in each state, and since when the longest-waiting one has been there.</summary>
public sealed record SagaStateCount(string State, int Count, DateTimeOffset OldestEnteredAt);

/// <summary>
/// One GROUP BY over a saga table's <c>(current_state, state_entered_at)</c> index: the ops view of the saga types and
/// the cluster gauges both read it.
/// </summary>
public static class SagaStateCounts
{
    public static Task<List<SagaStateCount>> Read(WorkflowDbContext db, string saga, CancellationToken cancellationToken) => saga switch
    {
        "Order" => Read<OrderState>(db, cancellationToken),
        "SlotReservation" => Read<SlotReservationState>(db, cancellationToken),
        "Picking" => Read<PickingState>(db, cancellationToken),
        "SubstitutionApproval" => Read<SubstitutionState>(db, cancellationToken),
        "DeliveryHandoff" => Read<DeliveryState>(db, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(saga), saga, "Not in the saga catalog"),
    };

    private static Task<List<SagaStateCount>> Read<TSaga>(WorkflowDbContext db, CancellationToken cancellationToken)
        where TSaga : class, IGrocerySagaState =>
        db.Set<TSaga>().AsNoTracking().GroupBy(s => s.CurrentState)
            .Select(g => new SagaStateCount(g.Key, g.Count(), g.Min(s => EF.Property<DateTimeOffset>(s, WorkflowDbContext.StateEnteredAt))))
            .ToListAsync(cancellationToken);
}
