namespace Grocery.Workflows.Messaging.Inbox;

/// <summary>A message id consumed by a consumer: a redelivered message finds its row and is not applied again.</summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }
    public string Consumer { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }
}
