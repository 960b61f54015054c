namespace Grocery.Workflows.Persistence;

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

/// <summary>A message id consumed by a consumer: a redelivered message finds its row and is not applied again.</summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }
    public string Consumer { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>One transition of any saga: the source of the order timeline and the ops views.</summary>
public sealed class SagaTimelineEntry
{
    public long Id { get; set; }
    public string SagaType { get; set; } = "";
    public Guid CorrelationId { get; set; }
    public Guid OrderId { get; set; }
    public string FromState { get; set; } = "";
    public string ToState { get; set; } = "";
    public string Event { get; set; } = "";
    public Guid? MessageId { get; set; }
    public DateTimeOffset At { get; set; }
    public string HostInstance { get; set; } = "";
}
