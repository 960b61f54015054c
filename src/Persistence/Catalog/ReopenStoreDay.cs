using System.Text.Json.Nodes;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Catalog;

public sealed record ReopenStoreDayCommand(string StoreId, DateOnly Day, AuditedAction Audited);

public sealed record ReopenStoreDayResult(Refusal? Refused);

/// <summary>Reopens a closed day: the next slot generation makes its slots. The removal and its audit row are one transaction.</summary>
public sealed class ReopenStoreDayHandler(WorkflowDbContext db, UnitOfWork unitOfWork, AuditTrail audit)
{
    public async Task<ReopenStoreDayResult> Handle(ReopenStoreDayCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var (storeId, day) = (command.StoreId, command.Day);
        bool reopened;
        try
        {
            reopened = await unitOfWork.InTransactionAsync(async token =>
            {
                var closure = await db.StoreClosures.SingleOrDefaultAsync(c => c.StoreId == storeId && c.Date == day, token);
                if (closure is null)
                {
                    return false;
                }

                db.StoreClosures.Remove(closure);
                audit.Record(db, command.Audited with { Parameters = new JsonObject { ["reason"] = closure.Reason } }, AuditOutcomes.Accepted);
                return true;
            }, cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Reopened by another request a moment ago: this one found nothing to reopen.
            reopened = false;
        }

        return new ReopenStoreDayResult(reopened ? null : Refusal.NotFound("Closure", $"Store '{storeId}' is not closed on {day:yyyy-MM-dd}."));
    }
}
