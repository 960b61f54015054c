using Grocery.Workflows.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Payments;

/// <summary>
/// The providers' events seen (<c>provider_events</c>): what makes a payment webhook and a courier's report apply once.
/// The record of an event commits with what the event caused; a retry of the event finds the record.
/// </summary>
public static class ProviderEventLog
{
    public static Task<bool> Seen(WorkflowDbContext db, string provider, string eventId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.ProviderEvents.AsNoTracking().AnyAsync(e => e.Provider == provider && e.EventId == eventId, cancellationToken);
    }

    /// <summary>
    /// Commits the unit of work that records the event; false when the same event raced in on another request (a
    /// provider's retry) and committed first: that one applied it.
    /// </summary>
    public static async Task<bool> CommitOnce(WorkflowDbContext db, UnitOfWork unitOfWork, string provider, string eventId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unitOfWork);
        try
        {
            await unitOfWork.CommitAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            if (!await Seen(db, provider, eventId, CancellationToken.None))
            {
                throw;
            }

            return false;
        }
    }
}
