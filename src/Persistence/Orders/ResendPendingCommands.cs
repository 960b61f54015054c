using Grocery.Workflows.Contracts.Orders;
using Grocery.Workflows.Messaging.Outbox;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Sagas;
using Grocery.Workflows.Sagas;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Orders;

/// <summary>Send again the command one saga of order <c>OrderId</c> waits on (<see cref="PendingCommands"/>).</summary>
public sealed record ResendPendingCommandRequest(Guid OrderId, string Saga, AuditedAction Audited);

/// <summary>
/// An operator's "send it again" for a saga stuck waiting on someone outside the engine: the saga's instance of the
/// order is found in a state that waits on a command, and <see cref="ResendPendingCommand"/> is published with the audit
/// row in one commit. The machine builds the command again from its own data, so the receiver sees the same
/// idempotency key or attempt as the first time.
/// </summary>
public sealed class ResendPendingCommandHandler(WorkflowDbContext db, UnitOfWork unitOfWork, AuditTrail audit)
{
    /// <summary>What <see cref="Handle"/> would do now: the instance, its state and the command, or why not.</summary>
    public async Task<OrderActionPreview> DryRun(Guid orderId, string saga, CancellationToken cancellationToken)
    {
        var (pending, refused) = await Find(orderId, saga, cancellationToken);
        return pending is null
            ? new OrderActionPreview(refused, "")
            : new OrderActionPreview(null, $"{pending.Value.Saga} {pending.Value.SagaId} is {pending.Value.State}: it would publish {pending.Value.Command} again, " +
                "built from its own data (same idempotency key or attempt as the first time). Its state does not change.");
    }

    public async Task<Refusal?> Handle(ResendPendingCommandRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (pending, refused) = await Find(request.OrderId, request.Saga, cancellationToken);
        if (pending is not { } found)
        {
            return refused;
        }

        var parameters = request.Audited.Parameters ?? [];
        parameters["saga"] = found.Saga;
        parameters["state"] = found.State;
        parameters["command"] = found.Command;
        audit.Record(db, request.Audited with { Parameters = parameters }, AuditOutcomes.Accepted);
        unitOfWork.Publish(new ResendPendingCommand(request.OrderId, found.Saga, found.SagaId));
        await unitOfWork.CommitAsync(cancellationToken);
        return null;
    }

    private async Task<((string Saga, Guid SagaId, string State, string Command)? Pending, Refusal? Refused)> Find(
        Guid orderId, string sagaName, CancellationToken cancellationToken)
    {
        if (SagaCatalog.Find(sagaName) is not { } saga)
        {
            return (null, Refusal.NotFound("Saga", $"There is no saga '{sagaName}'."));
        }

        var instances = await saga.Accept(new Instances(db, orderId)).ToListAsync(cancellationToken);
        foreach (var (sagaId, state) in instances)
        {
            if (PendingCommands.For(saga.Name, state) is { } command)
            {
                return ((saga.Name, sagaId, state, command), null);
            }
        }

        var states = instances.Count == 0 ? "has no instance for this order" : $"is {string.Join(", ", instances.Select(i => i.State))}";
        return (null, Refusal.Conflict("Nothing to send again",
            $"{saga.Name} {states}: it waits on no command it could send again (only {string.Join(", ", PendingCommands.All.Where(c => c.Saga == saga.Name).Select(c => c.State))})."));
    }

    /// <summary>The order's instances of one saga: correlation id and state.</summary>
    private sealed class Instances(WorkflowDbContext db, Guid orderId) : ISagaVisitor<IQueryable<(Guid SagaId, string State)>>
    {
        public IQueryable<(Guid SagaId, string State)> Visit<TMachine, TState, TSettings>(SagaDescriptor saga)
            where TMachine : MassTransit.MassTransitStateMachine<TState>
            where TState : class, IGrocerySagaState
            where TSettings : class, new() =>
            SagaRows.OfOrder(db.Set<TState>().AsNoTracking(), db, orderId).Select(s => new ValueTuple<Guid, string>(s.CorrelationId, s.CurrentState));
    }
}
