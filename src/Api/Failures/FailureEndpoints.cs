using System.Globalization;
using System.Text.Json.Nodes;
using Grocery.Workflows.Api.Audit;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Failures;
using Grocery.Workflows.Messaging;
using Grocery.Workflows.Messaging.Failures;
using Grocery.Workflows.Messaging.Outbox;
using Grocery.Workflows.Api.Limits;
using Grocery.Workflows.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Api.Failures;

public sealed record FailureSummary(long Id, Guid? MessageId, string MessageType, string InputAddress, Guid? OrderId,
    string ExceptionType, string ExceptionMessage, DateTimeOffset FailedAt, DateTimeOffset? ReplayedAt, int ReplayCount);

/// <summary>A failed message as ops see it; the stack trace only when asked for (stackTrace=true).</summary>
public sealed record FailureDetail(FailureSummary Failure, string Body, string? Headers, string? StackTrace);

/// <summary>Messages that failed after their retries: list, inspect, send back.</summary>
public static class FailureEndpoints
{
    public static IEndpointRouteBuilder MapFailureEndpoints(this IEndpointRouteBuilder app)
    {
        var failures = app.MapGroup("/api/failures").WithTags("Failures").RequireAuthorization(GroceryPolicies.Ops);
        failures.MapGet("/", List).WithSummary("Failed messages, newest first; optionally of one order.");
        failures.MapGet("/{id:long}", Get).WithSummary("One failed message with its body and headers (payment tokens redacted); its stack trace with stackTrace=true.");
        failures.MapPost("/{id:long}/replay", Replay).WithRateLimit(RateLimits.ReplaysPerOperator)
            .WithSummary("Send the message back to the queue it failed on; 409 while its replay is under way, once it is consumed or failed again, and for an ended order unless force=true.");
        return app;
    }

    private static async Task<Results<Ok<FailureSummary[]>, ProblemHttpResult>> List(
        Guid? orderId, int? limit, HttpContext context, WorkflowDbContext db, CancellationToken cancellationToken)
    {
        if (!Problems.TryLimit(limit, 50, 500, out var take, out var problem))
        {
            return problem!;
        }

        var failures = Visible(db.FailedMessages.AsNoTracking(), Caller.Of(context), db);
        if (orderId is not null)
        {
            failures = failures.Where(f => f.OrderId == orderId);
        }

        return TypedResults.Ok(await failures.OrderByDescending(f => f.Id).Take(take).Select(f => Summary(f)).ToArrayAsync(cancellationToken));
    }

    private static async Task<Results<Ok<FailureDetail>, ProblemHttpResult>> Get(
        long id, bool? stackTrace, HttpContext context, WorkflowDbContext db, CancellationToken cancellationToken)
    {
        var failure = await db.FailedMessages.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id, cancellationToken);
        if (failure is null)
        {
            return Problems.NotFound("Failed message", $"There is no failed message {id}.");
        }

        var caller = Caller.Of(context);
        if (caller.Stores is not null && !caller.MayActAt(await db.OrderRequests.AsNoTracking().Where(r => r.OrderId == failure.OrderId)
                .Select(r => r.StoreId).FirstOrDefaultAsync(cancellationToken)))
        {
            return Refusals.Store();
        }

        var detail = Detail(failure);
        return TypedResults.Ok(stackTrace == true ? detail : detail with { StackTrace = null });
    }

    /// <summary>An operator limited to some stores sees the failures of those stores' orders only.</summary>
    public static IQueryable<FailedMessage> Visible(IQueryable<FailedMessage> failures, Caller caller, WorkflowDbContext db)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Stores is not { } stores)
        {
            return failures;
        }

        var storeIds = stores.ToList();
        return failures.Where(f => db.OrderRequests.Any(r => r.OrderId == f.OrderId && storeIds.Contains(r.StoreId)));
    }

    private static async Task<Results<Accepted<FailureSummary>, ProblemHttpResult>> Replay(
        long id, bool? force, HttpContext context, WorkflowDbContext db, ReplayFailureHandler replay, AuditTrail audit, CancellationToken cancellationToken)
    {
        var (replayed, refused) = await ReplayFor(context, id, force ?? false, db, replay, audit, cancellationToken);
        return replayed is not null ? TypedResults.Accepted($"/api/failures/{id}", replayed) : refused!;
    }

    /// <summary>
    /// Sends a failed message back for the caller of <paramref name="context"/>, as the API and the ops console both do:
    /// audited, refusals too. Either the replayed failure or the refusal.
    /// </summary>
    public static async Task<(FailureSummary? Replayed, ProblemHttpResult? Refused)> ReplayFor(
        HttpContext context, long id, bool force, WorkflowDbContext db, ReplayFailureHandler replay, AuditTrail audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(replay);
        var caller = Caller.Of(context);
        // The store of the failure's order: a store-limited operator sees the replays of their stores in the trail.
        var failure = await db.FailedMessages.AsNoTracking().Where(f => f.Id == id)
            .Select(f => new { StoreId = db.OrderRequests.Where(r => r.OrderId == f.OrderId).Select(r => r.StoreId).FirstOrDefault() })
            .SingleOrDefaultAsync(cancellationToken);
        var storeId = failure?.StoreId;
        var audited = Audited.Action(context, AuditActions.FailureReplay, id.ToString(CultureInfo.InvariantCulture), storeId,
            new JsonObject { ["force"] = force });
        // A failure that does not exist is answered 404 by the replay, as for any caller.
        if (failure is not null && !caller.MayActAt(storeId))
        {
            return (null, await audit.Refused(audited, Refusals.Store(), cancellationToken));
        }

        var result = await replay.Handle(new ReplayFailureCommand(id, force, audited), cancellationToken);
        return result.Replayed is { } replayed
            ? (Summary(replayed), null)
            : (null, await audit.Refused(audited, result.Refused!.ToProblem(), cancellationToken));
    }

    /// <summary>
    /// The failure as ops see it: its payment tokens out of the body and out of what was written about it (rows recorded
    /// before that was scrubbed at the source), no machine or process names, no source paths.
    /// </summary>
    public static FailureDetail Detail(FailedMessage failure)
    {
        var body = FailureRedaction.Body(failure.Body);
        var summary = Summary(failure) with { ExceptionMessage = FailureRedaction.Scrub(failure.ExceptionMessage, body.Secrets) };
        return new FailureDetail(summary, body.Json, FailureRedaction.Headers(failure.Headers), FailureRedaction.StackTrace(failure.StackTrace, body.Secrets));
    }

    public static FailureSummary Summary(FailedMessage f) =>
        new(f.Id, f.MessageId, f.MessageType, f.InputAddress, f.OrderId, f.ExceptionType, f.ExceptionMessage, f.FailedAt, f.ReplayedAt, f.ReplayCount);
}
