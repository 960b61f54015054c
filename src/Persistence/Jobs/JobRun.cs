namespace Grocery.Workflows.Persistence.Jobs;

public enum JobRunStatus
{
    /// <summary>Asked for by hand; the scheduler has not started it yet.</summary>
    Queued,
    Running,
    Succeeded,
    Failed,
}

public enum JobRunTrigger
{
    Scheduled,
    Manual,

    /// <summary>The engine starting: slot generation catches up on the days a stopped engine missed.</summary>
    Startup,
}

/// <summary>
/// One run of a scheduled job: who asked, which stores it covers, how far it got and what it did. At most one run of a
/// job is Queued or Running at a time (a unique index over the active runs), across every instance.
/// </summary>
public sealed class JobRun
{
    public Guid RunId { get; set; }
    public string JobName { get; set; } = "";
    public JobRunTrigger Trigger { get; set; }
    public JobRunStatus Status { get; set; }

    /// <summary>The one store a manual run was asked for; null for every store (or every store of <see cref="TimeZone"/>).</summary>
    public string? StoreId { get; set; }

    /// <summary>A scheduled run covers the stores of one time zone: its trigger fires at that zone's local time.</summary>
    public string? TimeZone { get; set; }

    /// <summary>The fire time the scheduler planned (scheduled runs).</summary>
    public DateTimeOffset? ScheduledFor { get; set; }

    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Moved on every progress report: a run that stops reporting for long is taken to have died with its instance.</summary>
    public DateTimeOffset HeartbeatAt { get; set; }

    public string? Instance { get; set; }
    public long ProgressDone { get; set; }
    public long ProgressTotal { get; set; }

    /// <summary>What the run did, as JSON (slots created; rows compared and adjusted, accuracy).</summary>
    public string? Summary { get; set; }

    public string? Error { get; set; }
}
