using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Messaging.Failures;
using Grocery.Workflows.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Failures;

/// <summary>Replays failure <c>Id</c>; <c>Force</c> replays it for an order that has ended too (see <see cref="FailedMessages.WhyNotReplay"/>).</summary>
public sealed record ReplayFailureCommand(long Id, bool Force, AuditedAction Audited);

/// <summary>The failure as it is once its replay is committed, or why it was not replayed.</summary>
public sealed record ReplayFailureResult(FailedMessage? Replayed, Refusal? Refused);

/// <summary>A replay's dry run for one failure: the queue its message would go back to, or why it would not (null: it would).</summary>
public sealed record ReplayPreview(long Id, string MessageType, string Destination, Guid? OrderId, string? WouldRefuse);

/// <summary>
/// Sends a failed message back to the queue it failed on: the replay's outbox row, the failure's replay count and the
/// audit row in one transaction, so two replays of one failure never both leave.
/// </summary>
public sealed class ReplayFailureHandler(WorkflowDbContext db, UnitOfWork unitOfWork, AuditTrail audit, TimeProvider time)
{
    public async Task<ReplayFailureResult> Handle(ReplayFailureCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        try
        {
            return await unitOfWork.InTransactionAsync(token => Replay(command, token), cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Rolled back with the transaction, the audit row too: the refusal is recorded on its own.
            return new ReplayFailureResult(null,
                Refusal.Conflict("Not replayed", $"Failed message {command.Id} is being replayed by another request at this moment."));
        }
    }

    /// <summary>
    /// What <see cref="Handle"/> would do with each failure now, without doing it: where its message would be sent, or
    /// why it would not be replayed.
    /// </summary>
    public async Task<IReadOnlyList<ReplayPreview>> DryRun(IReadOnlyCollection<long> ids, bool force, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var failures = await db.FailedMessages.AsNoTracking().Where(f => ids.Contains(f.Id)).OrderBy(f => f.Id).ToListAsync(cancellationToken);
        var previews = new List<ReplayPreview>();
        foreach (var failure in failures)
        {
            var why = await FailedMessages.WhyNotReplay(db, failure, force, time.GetUtcNow(), cancellationToken);
            previews.Add(new ReplayPreview(failure.Id, failure.MessageType, failure.InputAddress, failure.OrderId, why));
        }

        return previews;
    }

    private async Task<ReplayFailureResult> Replay(ReplayFailureCommand command, CancellationToken cancellationToken)
    {
        var id = command.Id;
        var failure = await db.FailedMessages.SingleOrDefaultAsync(f => f.Id == id, cancellationToken);
        if (failure is null)
        {
            return new ReplayFailureResult(null, Refusal.NotFound("Failed message", $"There is no failed message {id}."));
        }

        if (await FailedMessages.WhyNotReplay(db, failure, command.Force, time.GetUtcNow(), cancellationToken) is { } refusal)
        {
            return new ReplayFailureResult(null, Refusal.Conflict("Not replayed", refusal));
        }

        if (!FailedMessages.Replay(db, failure, time))
        {
            return new ReplayFailureResult(null, Refusal.Unprocessable("Cannot replay", $"Message {id} ({failure.MessageType}) is not one of the engine's contracts."));
        }

        var audited = command.Audited;
        audited.Parameters!["messageType"] = failure.MessageType;
        audited.Parameters["orderId"] = failure.OrderId?.ToString();
        audited.Parameters["replay"] = failure.ReplayCount;
        audit.Record(db, audited, AuditOutcomes.Accepted);
        return new ReplayFailureResult(failure, null);
    }
}
