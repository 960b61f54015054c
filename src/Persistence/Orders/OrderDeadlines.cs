using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Slots;
using Grocery.Workflows.Contracts.Substitutions;
using Grocery.Workflows.Messaging.Outbox;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Sagas.Slots;
using Grocery.Workflows.Sagas.Substitutions;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Orders;

/// <summary>A deadline the engine holds for an order (a saga's scheduled message), as an operator sees it.</summary>
public sealed record PendingDeadline(long Id, string MessageType, DateTimeOffset DueAt);

/// <summary>Fire deadline <c>DeadlineId</c> of order <c>OrderId</c> now.</summary>
public sealed record FireDeadlineCommand(Guid OrderId, long DeadlineId, AuditedAction Audited);

/// <summary>Extend the order's slot hold (once, if the slot still has room).</summary>
public sealed record ExtendSlotHoldCommand(Guid OrderId, AuditedAction Audited);

/// <summary>What an order action would do (<c>Refused</c> null) or why it would not, and the facts it rests on.</summary>
public sealed record OrderActionPreview(Refusal? Refused, string Facts);

/// <summary>
/// Operators' actions on an order's time: fire one of its pending deadlines now (the substitution decision deadline
/// applies the customer's default at once; the picking start starts picking), and extend its slot hold. Each checks
/// what the saga would accept before it acts, and writes its audit row in the action's own transaction.
/// </summary>
public sealed class OrderDeadlineHandler(WorkflowDbContext db, UnitOfWork unitOfWork, AuditTrail audit, TimeProvider time)
{
    /// <summary>The order's deadlines that have not fired: scheduled outbox rows due later.</summary>
    public async Task<IReadOnlyList<PendingDeadline>> Pending(Guid orderId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rows = await db.Outbox.AsNoTracking().Where(o => o.CorrelationId == orderId && o.DueAt > now && o.ScheduleTokenId != null)
            .OrderBy(o => o.Id).Select(o => new PendingDeadline(o.Id, o.MessageType, o.DueAt)).ToListAsync(cancellationToken);
        return [.. rows.OrderBy(r => r.DueAt)];
    }

    public async Task<OrderActionPreview> FirePreview(Guid orderId, long deadlineId, CancellationToken cancellationToken)
    {
        var deadline = (await Pending(orderId, cancellationToken)).FirstOrDefault(d => d.Id == deadlineId);
        if (deadline is null)
        {
            return new OrderActionPreview(Refusal.Conflict("No such deadline", $"Order {orderId} has no pending deadline {deadlineId}: it has fired or been cancelled."), "");
        }

        var facts = $"{deadline.MessageType} due {deadline.DueAt:u} would be delivered now, as if its time had come.";
        if (IsSubstitutionDecision(deadline.MessageType))
        {
            var round = await db.Set<SubstitutionState>().AsNoTracking()
                .Where(r => r.OrderId == orderId && r.CurrentState == nameof(SubstitutionStateMachine.AwaitingCustomerDecision))
                .Select(r => new { r.Preference, r.Lines }).FirstOrDefaultAsync(cancellationToken);
            if (round is not null)
            {
                facts += round.Preference == SubstitutionPreference.Accept
                    ? $" The customer has not answered for {round.Lines.Count} short line(s); their default applies: each replacement offered is accepted."
                    : $" The customer has not answered for {round.Lines.Count} short line(s); their default applies: the short lines are refunded.";
            }
        }

        return new OrderActionPreview(null, facts);
    }

    /// <summary>Whether a deadline is a substitution round's decision time, whose firing applies the customer's default.</summary>
    public static bool IsSubstitutionDecision(string messageType) => messageType == SubstitutionDecision;

    /// <summary>As the outbox names a message type: its full name and its assembly's.</summary>
    private static readonly string SubstitutionDecision = $"{typeof(SubstitutionDecisionDue).FullName}, {typeof(SubstitutionDecisionDue).Assembly.GetName().Name}";

    public async Task<Refusal?> Fire(FireDeadlineCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await unitOfWork.InTransactionAsync(async token =>
        {
            var now = time.GetUtcNow();
            var row = await db.Outbox.SingleOrDefaultAsync(o => o.Id == command.DeadlineId && o.CorrelationId == command.OrderId && o.ScheduleTokenId != null, token);
            if (row is null || row.DueAt <= now)
            {
                return Refusal.Conflict("No such deadline", $"Order {command.OrderId} has no pending deadline {command.DeadlineId}: it has fired or been cancelled.");
            }

            var parameters = command.Audited.Parameters ?? [];
            parameters["deadline"] = row.MessageType;
            parameters["dueAt"] = row.DueAt.ToString("o");
            audit.Record(db, command.Audited with { Parameters = parameters }, AuditOutcomes.Accepted);
            row.DueAt = now;
            return (Refusal?)null;
        }, keep: refused => refused is null, cancellationToken);
    }

    public async Task<OrderActionPreview> ExtendPreview(Guid orderId, CancellationToken cancellationToken)
    {
        var (hold, refused) = await Hold(orderId, cancellationToken);
        return new OrderActionPreview(refused, hold is null ? "" :
            $"The slot hold lapses at {hold.HoldExpiresAt:u}; the slot reservation saga would ask the slot store for more time, once, if the slot still has room.");
    }

    public async Task<Refusal?> Extend(ExtendSlotHoldCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var (hold, refused) = await Hold(command.OrderId, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var parameters = command.Audited.Parameters ?? [];
        parameters["holdExpiresAt"] = hold!.HoldExpiresAt?.ToString("o");
        audit.Record(db, command.Audited with { Parameters = parameters }, AuditOutcomes.Accepted);
        unitOfWork.Publish(new ExtendSlotHold(command.OrderId, hold.CorrelationId));
        await unitOfWork.CommitAsync(cancellationToken);
        return null;
    }

    private async Task<(Grocery.Workflows.Sagas.Slots.SlotReservationState? Hold, Refusal? Refused)> Hold(Guid orderId, CancellationToken cancellationToken)
    {
        var hold = await db.Set<Grocery.Workflows.Sagas.Slots.SlotReservationState>().AsNoTracking().Where(s => s.OrderId == orderId)
            .OrderByDescending(s => s.HoldExpiresAt).FirstOrDefaultAsync(cancellationToken);
        if (hold is null || hold.CurrentState != nameof(SlotReservationStateMachine.Held))
        {
            return (hold, Refusal.Conflict("No slot hold to extend", $"Order {orderId} holds no slot now{(hold is null ? "" : $" (its reservation is {hold.CurrentState})")}."));
        }

        return hold.Extensions > 0 || hold.ExtensionPending
            ? (hold, Refusal.Conflict("Already extended", $"Order {orderId}'s slot hold has been extended once already; it can be extended only once."))
            : (hold, null);
    }
}
