using System.Diagnostics;
using System.Text.Json.Nodes;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Persistence.Audit;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Grocery.Workflows.Api.Audit;

/// <summary>The audit trail as the endpoints write it: who is calling, from their token, and how a refusal reads.</summary>
public static class Audited
{
    /// <summary>The action the caller of <paramref name="context"/> asks for.</summary>
    public static AuditedAction Action(HttpContext context, string action, string target, string? storeId = null, JsonObject? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caller = Caller.Of(context);
        return new AuditedAction(new AuditActor(caller.Subject, caller.Name, caller.RoleList, TraceId(context)), action, target, storeId, parameters);
    }

    /// <summary>The W3C trace id of the request (the one its logs and spans carry), or ASP.NET Core's request id when it is not traced.</summary>
    public static string TraceId(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Activity.Current is { } activity && activity.TraceId != default ? activity.TraceId.ToHexString() : context.TraceIdentifier;
    }

    /// <summary>
    /// Records a refusal (it changed nothing, so it is written by itself) and answers with it. Takes the write gate:
    /// call it after the handler has left the gate.
    /// </summary>
    public static async Task<ProblemHttpResult> Refused(this AuditTrail trail, AuditedAction action, ProblemHttpResult problem, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trail);
        ArgumentNullException.ThrowIfNull(problem);
        await trail.RecordAlone(action, Outcome(problem), cancellationToken);
        return problem;
    }

    /// <summary><c>refused: 409 Too late to cancel: Order ... is Picking: ...</c>; cut to the column by the trail.</summary>
    public static string Outcome(ProblemHttpResult problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var details = problem.ProblemDetails;
        return AuditOutcomes.Refused(details.Detail is { Length: > 0 } detail ? $"{problem.StatusCode} {details.Title}: {detail}" : $"{problem.StatusCode} {details.Title}");
    }
}
