using System.Globalization;
using System.Text.Json;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Audit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Api.Audit;

/// <summary>One row of the audit trail; <c>parameters</c> as the JSON object it was written as.</summary>
public sealed record AuditEntryView(
    long Id, DateTimeOffset At, string Subject, string? Name, string Roles, string Action, string Target, string? StoreId,
    JsonElement? Parameters, string Outcome, string? TraceId);

public sealed record AuditPage(IReadOnlyList<AuditEntryView> Items, string? NextCursor);

/// <summary>For operators: what operators and schedulers did, and what the engine answered.</summary>
public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", List).WithTags("Audit").RequireAuthorization(GroceryPolicies.Ops)
            .WithSummary("The audit trail, newest first; keyset paging (cursor = nextCursor); filters action, subject, target, storeId, from (inclusive) and to (exclusive).");
        return app;
    }

    private static async Task<Results<Ok<AuditPage>, ProblemHttpResult>> List(
        string? action, string? subject, string? target, string? storeId, string? from, string? to, int? limit, string? cursor,
        HttpContext context, WorkflowDbContext db, CancellationToken cancellationToken)
    {
        if (!Problems.TryLimit(limit, 50, 500, out var take, out var problem))
        {
            return problem!;
        }

        long before = 0;
        if (cursor is not null && (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out before) || before < 1))
        {
            return Problems.Invalid("cursor", "cursor must be the nextCursor of an earlier page.");
        }

        if (action is not null && !AuditActions.All.Contains(action))
        {
            return Problems.Invalid("action", $"action must be one of {string.Join(", ", AuditActions.All)}.");
        }

        if ((TextProblem("subject", subject, AuditTrail.SubjectLength) ?? TextProblem("target", target, AuditTrail.TargetLength)
            ?? TextProblem("storeId", storeId, AuditTrail.StoreIdLength)) is { } text)
        {
            return text;
        }

        if (!TryTime("from", from, out var since, out problem) || !TryTime("to", to, out var until, out problem))
        {
            return problem!;
        }

        if (since is not null && until is not null && since > until)
        {
            return Problems.Invalid("from", "from must not be after to.");
        }

        var entries = db.AuditLog.AsNoTracking();
        // An operator limited to some stores sees the rows of those stores, and no row that concerns no one store.
        if (Caller.Of(context).Stores is { } stores)
        {
            if (storeId is not null && !stores.Contains(storeId))
            {
                return Refusals.Store();
            }

            var storeIds = stores.ToList();
            entries = entries.Where(e => e.StoreId != null && storeIds.Contains(e.StoreId));
        }

        if (action is not null)
        {
            entries = entries.Where(e => e.Action == action);
        }

        if (subject is not null)
        {
            entries = entries.Where(e => e.Subject == subject);
        }

        if (target is not null)
        {
            entries = entries.Where(e => e.Target == target);
        }

        if (storeId is not null)
        {
            entries = entries.Where(e => e.StoreId == storeId);
        }

        if (since is { } fromTime)
        {
            entries = entries.Where(e => e.At >= fromTime);
        }

        if (until is { } toTime)
        {
            entries = entries.Where(e => e.At < toTime);
        }

        if (cursor is not null)
        {
            entries = entries.Where(e => e.Id < before);
        }

        var page = await entries.OrderByDescending(e => e.Id).Take(take + 1).ToListAsync(cancellationToken);
        var items = page.Take(take).Select(View).ToList();
        return TypedResults.Ok(new AuditPage(items, page.Count > take ? items[^1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    private static ProblemHttpResult? TextProblem(string field, string? value, int maxLength) =>
        value is not null && (value.Length is 0 || value.Length > maxLength || Problems.IsNotPlainText(value))
            ? Problems.Invalid(field, $"{field} must be 1 to {maxLength} characters of plain text.")
            : null;

    /// <summary>
    /// An ISO 8601 time with its offset (2026-12-02T10:00:00Z, 2026-12-02T17:00:00+07:00); a '+' sent unencoded in the
    /// query string arrives as a space and is read as the '+' it was.
    /// </summary>
    private static bool TryTime(string field, string? text, out DateTimeOffset? time, out ProblemHttpResult? problem)
    {
        time = null;
        problem = null;
        if (text is null)
        {
            return true;
        }

        var iso = text.Trim().Replace(' ', '+');
        var at = iso.IndexOf('T', StringComparison.Ordinal);
        var hasOffset = at > 0 && (iso.EndsWith('Z') || iso.LastIndexOfAny(['+', '-']) > at);
        if (hasOffset && DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            time = parsed;
            return true;
        }

        problem = Problems.Invalid(field, $"{field} must be an ISO 8601 time with an offset, e.g. 2026-12-02T10:00:00Z.");
        return false;
    }

    private static AuditEntryView View(AuditEntry entry)
    {
        JsonElement? parameters = null;
        if (entry.Parameters is not null)
        {
            using var document = JsonDocument.Parse(entry.Parameters);
            parameters = document.RootElement.Clone();
        }

        return new AuditEntryView(entry.Id, entry.At, entry.Subject, entry.Name, entry.Roles, entry.Action, entry.Target, entry.StoreId,
            parameters, entry.Outcome, entry.TraceId);
    }
}
