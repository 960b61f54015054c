using Grocery.Workflows.Messaging;
using Grocery.Workflows.Messaging.Inbox;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Payments;

/// <summary>
/// Provider webhooks are deduplicated like messages, and a provider stops retrying an event within days: their rows
/// go with the inbox's.
/// </summary>
internal sealed class ProviderEventRetention : IDeduplicationTable
{
    public Task<int> DeleteReceivedBefore(MessagingDbContext db, DateTimeOffset before, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Set<ProviderEvent>().Where(e => e.ReceivedAt < before).ExecuteDeleteAsync(cancellationToken);
    }
}
