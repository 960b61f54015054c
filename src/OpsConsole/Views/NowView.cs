using Grocery.Workflows.Api.Jobs;
using Grocery.Workflows.Messaging.Telemetry;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Sagas;
using Grocery.Workflows.Persistence.Stock;
using Grocery.Workflows.Persistence.Telemetry;
using Grocery.Workflows.Sagas;
using Grocery.Workflows.Sagas.Orders;
using Grocery.Workflows.Sagas.Substitutions;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.OpsConsole.Views;

/// <summary>One step of the last hour's funnel: how many of the hour's orders reached the state, and how many are in it now.</summary>
public sealed record FunnelStep(string State, int Reached, int Now);

/// <summary>A service level as the engine's own data shows it: the measured value (null without data), its target, and on what it rests.</summary>
public sealed record ServiceLevel(string Name, double? Value, double Target, bool HigherIsBetter, string Unit, int Basis)
{
    public bool? Met
    {
        get
        {
            if (Value is not { } value)
            {
                return null;
            }

            return HigherIsBetter ? value >= Target : value <= Target;
        }
    }
}

/// <summary>The longest-waiting instance of a saga in a state that is not a resting state.</summary>
public sealed record Waiting(string Saga, string State, int Count, TimeSpan Oldest, TimeSpan? Bound)
{
    public bool Stuck => Bound is { } bound && Oldest > bound;
}

public sealed record NowView(DateTimeOffset At, int Placed, IReadOnlyList<FunnelStep> Funnel, IReadOnlyList<ServiceLevel> Levels,
    IReadOnlyList<Waiting> Waiting, OutboxFigures Outbox, int FailuresOpen, int FailuresLastDay, IReadOnlyList<JobDetails> Jobs,
    IReadOnlyDictionary<string, double> AccuracyByStore);

/// <summary>The Now page: the last hour of orders, the service levels, who waits longest, the outbox, failures and jobs.</summary>
public static class NowQuery
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    /// <summary>The order saga's way through, in order; the ends that are not Completed follow.</summary>
    public static IReadOnlyList<string> OrderSteps { get; } =
    [
        nameof(OrderStateMachine.AwaitingPayment), nameof(OrderStateMachine.AwaitingSlotConfirmation), nameof(OrderStateMachine.Confirmed),
        nameof(OrderStateMachine.Picking), nameof(OrderStateMachine.AwaitingCapture), nameof(OrderStateMachine.ReadyForHandoff),
        nameof(OrderStateMachine.OutForDelivery), nameof(OrderStateMachine.Completed),
        nameof(OrderStateMachine.Rejected), nameof(OrderStateMachine.Cancelled), nameof(OrderStateMachine.Refunding), nameof(OrderStateMachine.Refunded),
    ];

    public static async Task<NowView> Load(WorkflowDbContext db, IJobControl jobs, StuckBounds bounds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(bounds);
        var since = now - Window;
        var order = SagaCatalog.Order.Name;
        var placed = await db.OrderRequests.AsNoTracking().CountAsync(r => r.CreatedAt >= since, cancellationToken);
        var hourOrders = db.OrderRequests.AsNoTracking().Where(r => r.CreatedAt >= since).Select(r => r.OrderId);
        var reached = await db.Timeline.AsNoTracking().Where(t => t.SagaType == order && hourOrders.Contains(t.OrderId))
            .GroupBy(t => t.ToState).Select(g => new { State = g.Key, Orders = g.Select(t => t.OrderId).Distinct().Count() })
            .ToDictionaryAsync(x => x.State, x => x.Orders, cancellationToken);
        var current = await db.Set<OrderState>().AsNoTracking().Where(o => hourOrders.Contains(o.CorrelationId))
            .GroupBy(o => o.CurrentState).Select(g => new { State = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.State, x => x.Count, cancellationToken);
        var funnel = OrderSteps.Select(s => new FunnelStep(s, reached.GetValueOrDefault(s), current.GetValueOrDefault(s))).ToList();

        var accuracy = await InventoryAccuracy.ByStore(db, cancellationToken);
        var levels = new List<ServiceLevel>
        {
            SlotBooking(),
            await SubstitutionAcceptance(db, since, cancellationToken),
            new("Inventory accuracy", accuracy.Count == 0 ? null : accuracy.Values.Min(), 0.99, true, "ratio", accuracy.Count),
            await Checkout(db, since, cancellationToken),
        };

        var waiting = new List<Waiting>();
        foreach (var saga in SagaCatalog.All)
        {
            foreach (var state in await SagaStateCounts.Read(db, saga.Name, cancellationToken))
            {
                if (!saga.RestingStates.Contains(state.State))
                {
                    waiting.Add(new Waiting(saga.Name, state.State, state.Count, now - state.OldestEnteredAt, bounds.BoundOf(saga, state.State)));
                }
            }
        }

        var outbox = await OutboxGauges.Read(db, now, cancellationToken);
        var open = await db.FailedMessages.AsNoTracking().CountAsync(f => f.ReplayedAt == null, cancellationToken);
        var lastDay = now - TimeSpan.FromDays(1);
        var recent = await db.FailedMessages.AsNoTracking().CountAsync(f => f.FailedAt >= lastDay, cancellationToken);
        var jobDetails = await JobEndpoints.Details(jobs, db, cancellationToken);
        return new NowView(now, placed, funnel, levels, [.. waiting.OrderByDescending(w => w.Oldest)], outbox, open, recent, jobDetails, accuracy);
    }

    /// <summary>
    /// Slot holds granted at checkout of those asked for, from this instance's counters since it started: a checkout
    /// refused for a full slot stores nothing, so the database cannot tell. On the embedded default that is every checkout.
    /// </summary>
    private static ServiceLevel SlotBooking()
    {
        static double Sum(Prometheus.Counter counter) => counter.GetAllLabelValues().Sum(labels => counter.WithLabels(labels).Value);
        var attempts = Sum(WorkflowMetrics.SlotBookingAttempts);
        return new ServiceLevel("Slot booking success", attempts < 1 ? null : Sum(WorkflowMetrics.SlotBookingSuccesses) / attempts, 0.98, true, "ratio",
            (int)attempts);
    }

    /// <summary>Replacements accepted of those proposed, over the rounds that moved in the window.</summary>
    private static async Task<ServiceLevel> SubstitutionAcceptance(WorkflowDbContext db, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var rounds = await db.Set<SubstitutionState>().AsNoTracking()
            .Where(s => EF.Property<DateTimeOffset>(s, WorkflowDbContext.StateEnteredAt) >= since && s.Proposed > 0)
            .GroupBy(_ => 1).Select(g => new { Proposed = g.Sum(s => s.Proposed), Accepted = g.Sum(s => s.Accepted) })
            .SingleOrDefaultAsync(cancellationToken);
        return new ServiceLevel("Substitution acceptance", rounds is null || rounds.Proposed == 0 ? null : (double)rounds.Accepted / rounds.Proposed,
            0.70, true, "ratio", rounds?.Proposed ?? 0);
    }

    /// <summary>The 99th percentile of the time from an order's acceptance to Confirmed (paid, slot confirmed), over the window's orders.</summary>
    private static async Task<ServiceLevel> Checkout(WorkflowDbContext db, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var order = SagaCatalog.Order.Name;
        var confirmed = nameof(OrderStateMachine.Confirmed);
        var times = await (from r in db.OrderRequests.AsNoTracking()
                           where r.CreatedAt >= since
                           join t in db.Timeline.AsNoTracking().Where(t => t.SagaType == order && t.ToState == confirmed) on r.OrderId equals t.OrderId
                           select new { r.CreatedAt, t.At }).Take(50_000).ToListAsync(cancellationToken);
        var seconds = times.Select(t => Math.Max(0, (t.At - t.CreatedAt).TotalSeconds)).Order().ToList();
        double? p99 = seconds.Count == 0 ? null : seconds[Math.Min(seconds.Count - 1, (int)Math.Ceiling(seconds.Count * 0.99) - 1)];
        return new ServiceLevel("Checkout p99", p99, 1.0, false, "seconds", seconds.Count);
    }
}
