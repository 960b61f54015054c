using Grocery.Workflows.Persistence.Audit;

namespace Grocery.Workflows.Api.Jobs;

/// <summary>One schedule of a job: a cron expression in the local time of the stores it covers.</summary>
public sealed record JobTriggerView(string TimeZone, string Cron, IReadOnlyList<string> Stores, string State, DateTimeOffset? NextFireAt, DateTimeOffset? PreviousFireAt);

public sealed record JobView(string Name, string Description, bool Paused, DateTimeOffset? NextFireAt, DateTimeOffset? LastFireAt, IReadOnlyList<JobTriggerView> Triggers);

public enum RunRequestOutcome
{
    Queued,
    UnknownJob,
    UnknownStore,

    /// <summary>A run of the job is already queued or running: a second one is refused, not doubled.</summary>
    Busy,

    /// <summary>This instance runs no scheduler (<c>Jobs:Enabled=false</c>).</summary>
    SchedulerDisabled,
}

public sealed record RunRequest(RunRequestOutcome Outcome, Guid? RunId = null, Guid? ActiveRunId = null);

/// <summary>The scheduler as the jobs API sees it.</summary>
public interface IJobControl
{
    IReadOnlyList<string> JobNames { get; }

    Task<IReadOnlyList<JobView>> List(CancellationToken cancellationToken);

    /// <summary>
    /// Queues a run of <paramref name="jobName"/> for one store, or for every store when <paramref name="storeId"/> is null. The
    /// run's record and the audit row of <paramref name="requestedBy"/> are written in one transaction.
    /// </summary>
    Task<RunRequest> RequestRun(string jobName, string? storeId, AuditedAction requestedBy, CancellationToken cancellationToken);

    /// <summary>Stops the job's schedule (a manual run still starts); false when there is no such job.</summary>
    Task<bool> Pause(string jobName, CancellationToken cancellationToken);

    Task<bool> Resume(string jobName, CancellationToken cancellationToken);
}
