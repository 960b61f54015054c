namespace Grocery.Workflows.Persistence.Timeline;

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
