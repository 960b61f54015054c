using Grocery.Workflows.Api.Failures;
using Grocery.Workflows.Api.Orders;
using Grocery.Workflows.OpsConsole.Live;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Catalog;
using Grocery.Workflows.Persistence.Sagas;
using Grocery.Workflows.Sagas;
using Grocery.Workflows.Sagas.Substitutions;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.OpsConsole.Views;

/// <summary>One saga of the order: where it is, since when, and every transition it made.</summary>
public sealed record SagaLane(string Saga, Guid? Id, string? State, DateTimeOffset? Entered, bool Resting, IReadOnlyList<TimelineEntry> Steps);

/// <summary>A message the engine will send for the order later: a saga deadline or a delayed step.</summary>
public sealed record Deadline(long Id, string MessageType, DateTimeOffset DueAt);

public sealed record OrderDetailView(
    OrderView Order,
    Store? Store,
    IReadOnlyList<SagaLane> Lanes,
    IReadOnlyList<Deadline> Deadlines,
    IReadOnlyList<SubstitutionState> Rounds,
    IReadOnlyList<FailureSummary> Failures,
    IReadOnlyList<AuditEntry> Audit,
    string Version,
    DateTimeOffset At)
{
    public string? Zone => Store?.TimeZone;

    /// <summary>The time axis of the swim lanes: from the first transition to the last (or now, while the order runs).</summary>
    public (DateTimeOffset From, DateTimeOffset To) Axis
    {
        get
        {
            var steps = Lanes.SelectMany(l => l.Steps).Select(s => s.At).ToList();
            if (steps.Count == 0)
            {
                return (At, At);
            }

            var to = steps.Max();
            return (steps.Min(), Lanes.Any(l => l.State is not null && !l.Resting) && At > to ? At : to);
        }
    }
}

public static class OrderDetailQuery
{
    public static async Task<OrderDetailView?> Load(WorkflowDbContext db, Guid orderId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (await OrderEndpoints.Load(orderId, db, cancellationToken) is not { } order)
        {
            return null;
        }

        var store = await db.Stores.AsNoTracking().SingleOrDefaultAsync(s => s.StoreId == order.StoreId, cancellationToken);
        var lanes = new List<SagaLane>();
        foreach (var saga in SagaCatalog.All)
        {
            var instance = await saga.Accept(new InstanceOf(db, orderId, cancellationToken));
            lanes.Add(new SagaLane(saga.Name, instance?.Id, instance?.State, instance?.Entered, instance is not null && saga.RestingStates.Contains(instance.State),
                [.. order.Timeline.Where(t => t.Saga == saga.Name)]));
        }

        var deadlines = await db.Outbox.AsNoTracking().Where(o => o.CorrelationId == orderId && o.DueAt > now).OrderBy(o => o.Id)
            .Select(o => new Deadline(o.Id, o.MessageType, o.DueAt)).ToListAsync(cancellationToken);
        var rounds = await db.Set<SubstitutionState>().AsNoTracking().Where(s => s.OrderId == orderId).ToListAsync(cancellationToken);
        var failures = await db.FailedMessages.AsNoTracking().Where(f => f.OrderId == orderId).OrderByDescending(f => f.Id).Take(50)
            .ToListAsync(cancellationToken);
        var target = orderId.ToString();
        var audit = await db.AuditLog.AsNoTracking().Where(a => a.Target == target).OrderByDescending(a => a.Id).Take(50).ToListAsync(cancellationToken);
        return new OrderDetailView(order, store, lanes, [.. deadlines.OrderBy(d => d.DueAt)], rounds, [.. failures.Select(f => FailureEndpoints.Detail(f).Failure)],
            audit, await OrderLiveEvents.Version(db, orderId, cancellationToken), now);
    }

    private sealed record Instance(Guid Id, string State, DateTimeOffset Entered);

    private sealed class InstanceOf(WorkflowDbContext db, Guid orderId, CancellationToken cancellationToken) : ISagaVisitor<Task<Instance?>>
    {
        async Task<Instance?> ISagaVisitor<Task<Instance?>>.Visit<TMachine, TState, TSettings>(SagaDescriptor saga)
        {
            // Most sagas have one instance per order; substitution rounds may have several: the latest is shown.
            var instances = await SagaRows.OfOrder(db.Set<TState>().AsNoTracking(), db, orderId)
                .Select(s => new Instance(s.CorrelationId, s.CurrentState, EF.Property<DateTimeOffset>(s, WorkflowDbContext.StateEnteredAt)))
                .ToListAsync(cancellationToken);
            return instances.MaxBy(i => i.Entered);
        }
    }
}
