using Grocery.Workflows.Api.Failures;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Sagas;
using Grocery.Workflows.Sagas;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.OpsConsole.Views;

/// <summary>An instance in a state for longer than the state's bound, with the order's next deadline and last error.</summary>
public sealed record StuckInstance(string Saga, Guid Id, Guid OrderId, string State, DateTimeOffset Entered, TimeSpan Bound,
    DateTimeOffset? NextDeadline, string? LastError);

public static class StuckQuery
{
    public const int Limit = 200;

    /// <summary>The stuck instances, longest first; optionally of one saga and state; only the given stores' orders when limited.</summary>
    public static async Task<IReadOnlyList<StuckInstance>> Load(WorkflowDbContext db, StuckBounds bounds, DateTimeOffset now, string? sagaName, string? state,
        IReadOnlyCollection<string>? stores, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(bounds);
        var found = new List<StuckInstance>();
        foreach (var saga in SagaCatalog.All.Where(s => sagaName is null || s.Name == sagaName))
        {
            found.AddRange(await saga.Accept(new Finder(db, bounds, now, state, stores?.ToList(), cancellationToken)));
        }

        var stuck = found.OrderBy(s => s.Entered).Take(Limit).ToList();
        var orders = stuck.Select(s => (Guid?)s.OrderId).Distinct().ToList();
        var deadlines = await db.Outbox.AsNoTracking().Where(o => orders.Contains(o.CorrelationId) && o.DueAt > now)
            .GroupBy(o => o.CorrelationId).Select(g => new { OrderId = g.Key, Due = g.Min(o => o.DueAt) })
            .ToDictionaryAsync(x => x.OrderId!.Value, x => x.Due, cancellationToken);
        var failures = await db.FailedMessages.AsNoTracking().Where(f => orders.Contains(f.OrderId)).OrderByDescending(f => f.Id).Take(Limit * 2).ToListAsync(cancellationToken);
        var lastError = failures.GroupBy(f => f.OrderId!.Value).ToDictionary(g => g.Key, g => FailureEndpoints.Detail(g.First()).Failure);
        return [.. stuck.Select(s => s with
        {
            NextDeadline = deadlines.TryGetValue(s.OrderId, out var due) ? due : null,
            LastError = lastError.TryGetValue(s.OrderId, out var error) ? $"{error.ExceptionType}: {error.ExceptionMessage}" : null,
        })];
    }

    private sealed class Finder(WorkflowDbContext db, StuckBounds bounds, DateTimeOffset now, string? state, List<string>? stores, CancellationToken cancellationToken)
        : ISagaVisitor<Task<List<StuckInstance>>>
    {
        async Task<List<StuckInstance>> ISagaVisitor<Task<List<StuckInstance>>>.Visit<TMachine, TState, TSettings>(SagaDescriptor saga)
        {
            var result = new List<StuckInstance>();
            var states = await db.Set<TState>().AsNoTracking().Select(s => s.CurrentState).Distinct().ToListAsync(cancellationToken);
            foreach (var current in states.Where(s => state is null || s == state))
            {
                if (bounds.BoundOf(saga, current) is not { } bound)
                {
                    continue;
                }

                var before = now - bound;
                var query = db.Set<TState>().AsNoTracking()
                    .Where(s => s.CurrentState == current && EF.Property<DateTimeOffset>(s, WorkflowDbContext.StateEnteredAt) < before);
                if (stores is not null)
                {
                    query = SagaRows.AtStores(query, db, stores);
                }

                var rows = await query.OrderBy(s => EF.Property<DateTimeOffset>(s, WorkflowDbContext.StateEnteredAt)).Take(Limit)
                    .Select(s => new { Saga = s, Entered = EF.Property<DateTimeOffset>(s, WorkflowDbContext.StateEnteredAt) })
                    .ToListAsync(cancellationToken);
                // OrderId is read from the loaded row: on the order saga it is the correlation id, not a column.
                result.AddRange(rows.Select(r => new StuckInstance(saga.Name, r.Saga.CorrelationId, r.Saga.OrderId, r.Saga.CurrentState, r.Entered, bound, null, null)));
            }

            return result;
        }
    }
}
