namespace Grocery.Workflows.Messaging.Outbox;

/// <summary>
/// A message a transaction published or sent, waiting for the dispatcher. Written in the same transaction as the
/// state change that produced it; deleted once delivered. A scheduled message (a saga deadline) waits until
/// <see cref="DueAt"/>.
/// </summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }
    public Guid MessageId { get; set; }
    public string MessageType { get; set; } = "";
    public string DestinationAddress { get; set; } = "";
    public string Body { get; set; } = "";
    public string? Headers { get; set; }
    public Guid? ConversationId { get; set; }
    public Guid? CorrelationId { get; set; }
    public Guid? InitiatorId { get; set; }
    public string? SourceAddress { get; set; }
    public Guid? ScheduleTokenId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
}
