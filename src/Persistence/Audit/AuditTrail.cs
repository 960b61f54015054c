using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Grocery.Workflows.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grocery.Workflows.Persistence.Audit;

/// <summary>The actions the audit trail records, by the names <c>GET /api/audit?action=</c> filters on.</summary>
public static class AuditActions
{
    public const string FailureReplay = "failure.replay";
    public const string JobPause = "job.pause";
    public const string JobResume = "job.resume";
    public const string JobRun = "job.run";
    public const string StoreClose = "store.close";
    public const string StoreReopen = "store.reopen";
    public const string StockCount = "stock.count";
    public const string OrderCancel = "order.cancel";
    public const string OrderDeadlineNow = "order.deadline-now";
    public const string OrderExtendHold = "order.extend-hold";
    public const string OrderResendCommand = "order.resend-command";

    public static readonly IReadOnlyList<string> All = [FailureReplay, JobPause, JobResume, JobRun, StoreClose, StoreReopen, StockCount, OrderCancel, OrderDeadlineNow, OrderExtendHold, OrderResendCommand];
}

public static class AuditOutcomes
{
    /// <summary>The action took effect; its row was written with the effect.</summary>
    public const string Accepted = "accepted";

    /// <summary>The engine said no (unknown target, conflict, another store's): nothing changed.</summary>
    public static string Refused(string reason) => $"refused: {reason}";

    /// <summary>The engine tried and an error stopped it.</summary>
    public static string Failed(string reason) => $"failed: {reason}";
}

/// <summary>Who acted, as their token says, and the trace of the request they acted through.</summary>
public sealed record AuditActor(string Subject, string? Name, string Roles, string? TraceId);

/// <summary>
/// An action as it was asked for, before its outcome is known. <c>Parameters</c> is what it was asked with (flags, a
/// reason, sizes): never a payment token or another secret.
/// </summary>
public sealed record AuditedAction(AuditActor Actor, string Action, string Target, string? StoreId = null, JsonObject? Parameters = null);

/// <summary>
/// Writes <c>audit_log</c> rows. <see cref="Record"/> adds the row to the caller's context, so that it is saved by the
/// same SaveChanges (in the same transaction) as the action's effect: no effect without its row, no accepted row
/// without its effect. <see cref="RecordAlone"/> is for what has no effect to go with: a refusal, a failure, or an
/// effect kept outside the engine's database (Quartz's pause and resume).
/// </summary>
public sealed partial class AuditTrail(IServiceScopeFactory scopes, WriteGate gate, TimeProvider time, ILogger<AuditTrail> logger)
{
    public const int SubjectLength = 256;
    public const int NameLength = 256;
    public const int RolesLength = 64;
    public const int ActionLength = 32;
    public const int TargetLength = 200;
    public const int StoreIdLength = 32;
    public const int ParametersLength = 2000;
    public const int OutcomeLength = 256;
    public const int TraceIdLength = 64;

    /// <summary>Adds the row to <paramref name="db"/>; the caller's next SaveChanges writes it with the effect.</summary>
    public AuditEntry Record(WorkflowDbContext db, AuditedAction action, string outcome)
    {
        ArgumentNullException.ThrowIfNull(db);
        var entry = Entry(action, outcome, time.GetUtcNow());
        db.AuditLog.Add(entry);
        Log(entry);
        return entry;
    }

    /// <summary>
    /// Writes the row in a short transaction of its own, on a context of its own (the caller's pending changes are not
    /// its business). Takes its turn at the write gate: never call it while holding the gate.
    /// </summary>
    public async Task RecordAlone(AuditedAction action, string outcome, CancellationToken cancellationToken)
    {
        var entry = Entry(action, outcome, time.GetUtcNow());
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
        using var writer = await gate.Enter(cancellationToken);
        db.AuditLog.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
        Log(entry);
    }

    /// <summary>
    /// A log line of each action beside the row, for the logs' 90 days of critical events (Promtail marks this class's
    /// lines critical). The row is the record: a line of an action whose transaction then rolls back says "recorded", not done.
    /// Never the parameters: they stay in the database.
    /// </summary>
    private void Log(AuditEntry entry) => LogRecorded(entry.Action, entry.Target, entry.StoreId, entry.Subject, entry.Roles, entry.Outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit: {Action} on {Target} (store {StoreId}) by {Subject} [{Roles}] recorded: {Outcome}")]
    private partial void LogRecorded(string action, string target, string? storeId, string subject, string roles, string outcome);

    /// <summary>
    /// The row for an action: text is cut to its column and control and format characters become U+FFFD, so that what a
    /// caller typed in a URL never makes the row fail to write or read as something else.
    /// </summary>
    public static AuditEntry Entry(AuditedAction action, string outcome, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(outcome);
        var parameters = action.Parameters?.ToJsonString();
        if (parameters is { Length: > ParametersLength })
        {
            parameters = new JsonObject { ["omitted"] = $"the parameters were longer than {ParametersLength} characters" }.ToJsonString();
        }

        return new AuditEntry
        {
            At = at,
            Subject = Clean(action.Actor.Subject, SubjectLength),
            Name = action.Actor.Name is { } name ? Clean(name, NameLength) : null,
            Roles = Clean(action.Actor.Roles, RolesLength),
            Action = Clean(action.Action, ActionLength),
            Target = Clean(action.Target, TargetLength),
            StoreId = action.StoreId is { } store ? Clean(store, StoreIdLength) : null,
            Parameters = parameters,
            Outcome = Clean(outcome, OutcomeLength),
            TraceId = action.Actor.TraceId is { } trace ? Clean(trace, TraceIdLength) : null,
        };
    }

    internal static string Clean(string value, int maxLength)
    {
        var text = new StringBuilder(Math.Min(value.Length, maxLength));
        foreach (var rune in value.EnumerateRunes())
        {
            var kept = Rune.IsControl(rune) || Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format ? Rune.ReplacementChar : rune;
            if (text.Length + kept.Utf16SequenceLength > maxLength)
            {
                // Cut on a whole character, and say so.
                while (text.Length > maxLength - 1 || (text.Length > 0 && char.IsHighSurrogate(text[^1])))
                {
                    text.Length--;
                }

                text.Append('…');
                break;
            }

            text.Append(kept.ToString());
        }

        return text.ToString();
    }
}
