using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Messaging.Outbox;
using Grocery.Workflows.Sagas;
using Grocery.Workflows.Sagas.Orders;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Orders;

/// <summary>A cancel; <c>Audited</c> is an operator's, recorded with its effect, and null for a customer's cancel of their own order.</summary>
public sealed record CancelOrderCommand(Guid OrderId, string Reason, AuditedAction? Audited);

public sealed record CancelOrderResult(Refusal? Refused);

/// <summary>
/// Asks the order saga to cancel an order that exists and that the caller may act on. Refused here rather than dropped
/// by the saga: a 202 would tell the customer a cancellation that never happens.
/// </summary>
public sealed class CancelOrderHandler(WorkflowDbContext db, UnitOfWork unitOfWork, AuditTrail audit)
{
    public async Task<CancelOrderResult> Handle(CancelOrderCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var orderId = command.OrderId;
        var (state, refused) = await Check(orderId, cancellationToken);
        if (refused is not null)
        {
            return new CancelOrderResult(refused);
        }

        if (command.Audited is { } audited)
        {
            // Saved with the CancelOrder outbox row: one commit.
            audited.Parameters!["state"] = state;
            audit.Record(db, audited, AuditOutcomes.Accepted);
        }

        unitOfWork.Publish(new Contracts.Orders.CancelOrder(orderId, command.Reason));
        await unitOfWork.CommitAsync(cancellationToken);
        return new CancelOrderResult(null);
    }

    /// <summary>What <see cref="Handle"/> would do now, without doing it: the order's state, and the refusal if it would refuse.</summary>
    public async Task<CancelOrderPreview> DryRun(Guid orderId, CancellationToken cancellationToken)
    {
        var (state, refused) = await Check(orderId, cancellationToken);
        return new CancelOrderPreview(state, refused);
    }

    private async Task<(string State, Refusal? Refused)> Check(Guid orderId, CancellationToken cancellationToken)
    {
        var state = await db.Set<OrderState>().AsNoTracking().Where(o => o.CorrelationId == orderId).Select(o => o.CurrentState)
            .SingleOrDefaultAsync(cancellationToken) ?? PlaceOrderHandler.SubmittedState;
        if (SagaCatalog.Order.RestingStates.Contains(state))
        {
            return (state, Refusal.Conflict("The order has ended", $"Order {orderId} is {state}; there is nothing left to cancel."));
        }

        if (state != PlaceOrderHandler.SubmittedState && !OrderStateMachine.CancellableStates.Contains(state))
        {
            return (state, Refusal.Conflict("Too late to cancel",
                $"Order {orderId} is {state}: a picker has started on it, and an order can be cancelled only until then."));
        }

        return (state, null);
    }
}

/// <summary>A cancel's dry run: the order's state now, and the refusal a cancel would meet (null: it would be asked for).</summary>
public sealed record CancelOrderPreview(string State, Refusal? Refused);
