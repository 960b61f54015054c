namespace Grocery.Workflows.Messaging.Inbox;

/// <summary>
/// Another table of ids already applied (a payment provider's webhook events), kept as long as the inbox and cleaned
/// with it by <see cref="InboxCleaner"/>.
/// </summary>
public interface IDeduplicationTable
{
    /// <summary>Deletes the rows received before <paramref name="before"/>; returns how many.</summary>
    Task<int> DeleteReceivedBefore(MessagingDbContext db, DateTimeOffset before, CancellationToken cancellationToken);
}
