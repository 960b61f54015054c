namespace Grocery.Workflows.Persistence.Audit;

/// <summary>
/// One operator or scheduler action in <c>audit_log</c>: who asked (from their token), what for, on what, and how it
/// ended. An accepted action's row is written in the same transaction as its effect. Rows are only ever inserted:
/// every property is init-only, <see cref="WorkflowDbContext"/> refuses to save a changed or removed entry, and a
/// trigger in the database rejects UPDATE and DELETE.
/// </summary>
public sealed class AuditEntry
{
    /// <summary>Ascending in insert order: the key the audit list pages by.</summary>
    public long Id { get; init; }

    public DateTimeOffset At { get; init; }

    /// <summary>The token's subject.</summary>
    public string Subject { get; init; } = "";

    /// <summary>The token's name claim, when it has one.</summary>
    public string? Name { get; init; }

    /// <summary>The engine's roles the token carried, space-separated (<c>ops scheduler</c>).</summary>
    public string Roles { get; init; } = "";

    /// <summary>One of <see cref="AuditActions"/>.</summary>
    public string Action { get; init; } = "";

    /// <summary>What the action was on: a failure id, a job name, <c>store/date</c>, an order id, the stores of a count file.</summary>
    public string Target { get; init; } = "";

    /// <summary>The store the action concerns, when it concerns one.</summary>
    public string? StoreId { get; init; }

    /// <summary>A small JSON object of what the caller asked with (force, reason, rows and bytes); never a secret.</summary>
    public string? Parameters { get; init; }

    /// <summary><c>accepted</c>, <c>refused: ...</c> or <c>failed: ...</c>.</summary>
    public string Outcome { get; init; } = "";

    /// <summary>The request's W3C trace id (or ASP.NET Core's request id when it was not traced).</summary>
    public string? TraceId { get; init; }
}
