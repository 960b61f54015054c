using Grocery.Workflows.Contracts.Substitutions;
using Grocery.Workflows.Messaging.Outbox;
using Grocery.Workflows.Sagas.Substitutions;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Substitutions;

public sealed record DecideSubstitutionsCommand(Guid OrderId, IReadOnlyList<CustomerAnswer> Answers);

/// <summary>The substitution round the answers went to, or why they went nowhere.</summary>
public sealed record DecideSubstitutionsResult(Guid RoundId, Refusal? Refused);

/// <summary>Hands the customer's answers to the substitution round that waits for them.</summary>
public sealed class DecideSubstitutionsHandler(WorkflowDbContext db, UnitOfWork unitOfWork)
{
    public async Task<DecideSubstitutionsResult> Handle(DecideSubstitutionsCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var orderId = command.OrderId;
        var round = await db.Set<SubstitutionState>().AsNoTracking()
            .Where(s => s.OrderId == orderId && s.CurrentState == nameof(SubstitutionStateMachine.AwaitingCustomerDecision))
            .Select(s => (Guid?)s.CorrelationId).FirstOrDefaultAsync(cancellationToken);
        if (round is null)
        {
            return new DecideSubstitutionsResult(Guid.Empty, await db.OrderRequests.AnyAsync(r => r.OrderId == orderId, cancellationToken)
                ? Refusal.Conflict("No open substitution question", $"Order {orderId} is not waiting for a substitution decision.")
                : Refusal.NotFound("Order", $"There is no order {orderId}."));
        }

        unitOfWork.Publish(new AnswerSubstitutions(orderId, round.Value, command.Answers));
        await unitOfWork.CommitAsync(cancellationToken);
        return new DecideSubstitutionsResult(round.Value, null);
    }
}
