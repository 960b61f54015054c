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
        var state = await db.Set<OrderState>().AsNoTracking().Where(o => o.CorrelationId == orderId).Select(o => o.CurrentState)
            .SingleOrDefaultAsync(cancellationToken) ?? PlaceOrderHandler.SubmittedState;
        if (SagaCatalog.Order.RestingStates.Contains(state))
        {
            return new CancelOrderResult(Refusal.Conflict("The order has ended", $"Order {orderId} is {state}; there is nothing left to cancel."));
        }

        if (state != PlaceOrderHandler.SubmittedState && !OrderStateMachine.CancellableStates.Contains(state))
        {
            return new CancelOrderResult(Refusal.Conflict("Too late to cancel",
                $"Order {orderId} is {state}: a picker has started on it, and an order can be cancelled only until then."));
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
}
