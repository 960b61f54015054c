using Grocery.Workflows.Contracts.Substitutions;
using Grocery.Workflows.Persistence.Timeline;
using Grocery.Workflows.Sagas;
using Grocery.Workflows.Sagas.Orders;
using Grocery.Workflows.Sagas.Slots;
using Grocery.Workflows.Sagas.Substitutions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Grocery.Workflows.Persistence.Telemetry;

/// <summary>
/// Counts what a consumed message changed, read from the transaction just committed: the timeline rows it wrote are its
/// transitions, and the saga rows beside them say why. Counting after the commit means a rolled-back or retried
/// message counts once, when it finally commits.
/// </summary>
public static partial class SagaMetrics
{
    /// <summary>The log category of order failures, which the logs keep as critical events (deploy/promtail).</summary>
    public const string OrderFailures = "Grocery.Workflows.Persistence.Orders.OrderFailures";

    public static void Committed(WorkflowDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        // SaveChanges has detected every change already: reading the entries must not scan them all again.
        var detect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            Count(db);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = detect;
        }
    }

    private static void Count(WorkflowDbContext db)
    {
        foreach (var step in db.ChangeTracker.Entries<SagaTimelineEntry>().Select(entry => entry.Entity))
        {
            WorkflowMetrics.SagaTransitions.WithLabels(step.SagaType, step.FromState, step.ToState).Inc();
            if (step.SagaType == OrderStateMachine.Saga.Name)
            {
                CountOrder(db, step);
            }
            else if (step.SagaType == SubstitutionStateMachine.Saga.Name && step.ToState == nameof(SubstitutionStateMachine.Decided))
            {
                CountSubstitutions(db, step);
            }
        }
    }

    private static void CountOrder(WorkflowDbContext db, SagaTimelineEntry step)
    {
        switch (step.ToState)
        {
            case nameof(OrderStateMachine.Completed):
                WorkflowMetrics.OrdersCompleted.Inc();
                break;
            case nameof(OrderStateMachine.Rejected):
                // A rejection's EndReason is the OrderRejectionReason's name: a small, fixed set of label values.
                var reason = Find<OrderState>(db, step)?.EndReason ?? "Unknown";
                WorkflowMetrics.OrdersRejected.WithLabels(reason).Inc();
                LogOrderFailed(FailureLog(db), step.CorrelationId, step.ToState, step.FromState, reason);
                break;
            case nameof(OrderStateMachine.Cancelled):
                // The customer's own words stay in the order's EndReason; the label stays bounded.
                WorkflowMetrics.OrdersCancelled.WithLabels("CustomerRequest", step.FromState).Inc();
                break;
            case nameof(OrderStateMachine.Refunding):
                WorkflowMetrics.OrdersCancelled.WithLabels("DeliveryFailed", step.FromState).Inc();
                LogOrderFailed(FailureLog(db), step.CorrelationId, step.ToState, step.FromState, Find<OrderState>(db, step)?.EndReason ?? "DeliveryFailed");
                break;
        }
    }

    /// <summary>Only when an order fails, so the hot path of every other commit never resolves a logger.</summary>
    private static ILogger FailureLog(WorkflowDbContext db) => db.GetService<ILoggerFactory>().CreateLogger(OrderFailures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} failed: {State} from {FromState}, {Reason}")]
    private static partial void LogOrderFailed(ILogger logger, Guid orderId, string state, string fromState, string reason);

    private static void CountSubstitutions(WorkflowDbContext db, SagaTimelineEntry step)
    {
        if (Find<SubstitutionState>(db, step) is not { } round)
        {
            return;
        }

        WorkflowMetrics.SubstitutionProposals.Inc(round.Proposed);
        foreach (var decision in round.Decisions.Where(d => d.Outcome == SubstitutionOutcome.Accepted))
        {
            WorkflowMetrics.SubstitutionAcceptances.WithLabels(DecidedBy(decision)).Inc();
        }
    }

    private static TSaga? Find<TSaga>(WorkflowDbContext db, SagaTimelineEntry step)
        where TSaga : class, IGrocerySagaState =>
        db.ChangeTracker.Entries<TSaga>().Select(e => e.Entity).FirstOrDefault(s => s.CorrelationId == step.CorrelationId);

    private static string DecidedBy(SubstitutionDecision decision)
    {
        if (decision.Automatic)
        {
            return "automatic";
        }

        return decision.ByDefault ? "default" : "customer";
    }
}
