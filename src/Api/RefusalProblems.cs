using Grocery.Workflows.Persistence;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Grocery.Workflows.Api;

/// <summary>A command's refusal as the problem answer of its route.</summary>
public static class RefusalProblems
{
    public static ProblemHttpResult ToProblem(this Refusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        var status = refusal.Kind switch
        {
            RefusalKind.Invalid => StatusCodes.Status400BadRequest,
            RefusalKind.NotFound => StatusCodes.Status404NotFound,
            RefusalKind.Conflict => StatusCodes.Status409Conflict,
            RefusalKind.Unprocessable => StatusCodes.Status422UnprocessableEntity,
            _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal.Kind, "A refusal of no known kind."),
        };
        return TypedResults.Problem(statusCode: status, title: refusal.Title, detail: refusal.Detail,
            extensions: refusal.Errors is null ? null : new Dictionary<string, object?> { ["errors"] = refusal.Errors });
    }
}
