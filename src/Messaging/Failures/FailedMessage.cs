namespace Grocery.Workflows.Messaging.Failures;

/// <summary>
/// A message that failed after its endpoint's retries, as it went to the error queue: kept to be inspected and
/// replayed (<c>GET /api/failures</c>, <c>POST /api/failures/{id}/replay</c>).
/// </summary>
public sealed class FailedMessage
{
    public long Id { get; set; }
    public Guid? MessageId { get; set; }
    public string MessageType { get; set; } = "";
    public string InputAddress { get; set; } = "";
    public Guid? OrderId { get; set; }
    public string Body { get; set; } = "";
    public string? Headers { get; set; }
    public string ExceptionType { get; set; } = "";
    public string ExceptionMessage { get; set; } = "";
    public string? StackTrace { get; set; }
    public DateTimeOffset FailedAt { get; set; }
    public DateTimeOffset? ReplayedAt { get; set; }
    public int ReplayCount { get; set; }
}
