using Grocery.Workflows.Sagas;
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
    public static Task<List<SagaStateCount>> Read(WorkflowDbContext db, string saga, CancellationToken cancellationToken) =>
        (SagaCatalog.Find(saga) ?? throw new ArgumentOutOfRangeException(nameof(saga), saga, "Not in the saga catalog"))
        .Accept(new Counter(db, cancellationToken));

    private sealed class Counter(WorkflowDbContext db, CancellationToken cancellationToken) : ISagaVisitor<Task<List<SagaStateCount>>>
    {
        Task<List<SagaStateCount>> ISagaVisitor<Task<List<SagaStateCount>>>.Visit<TMachine, TState, TSettings>(SagaDescriptor saga) =>
            db.Set<TState>().AsNoTracking().GroupBy(s => s.CurrentState)
                .Select(g => new SagaStateCount(g.Key, g.Count(), g.Min(s => EF.Property<DateTimeOffset>(s, WorkflowDbContext.StateEnteredAt))))
                .ToListAsync(cancellationToken);
    }
}
