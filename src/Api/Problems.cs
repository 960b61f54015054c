using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Grocery.Workflows.Api;

/// <summary>RFC 9457 problem answers with a clear message, one place for their shapes.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string what, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found", detail: detail);

    public static ProblemHttpResult Unprocessable(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: title, detail: detail);

    public static ProblemHttpResult Conflict(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: detail);

    public static ProblemHttpResult BadRequest(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request is not valid", detail: string.Join(" ", errors.SelectMany(e => e.Value)));

    public static ProblemHttpResult Invalid(string field, string message) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid", detail: message,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });

    /// <summary>Text from a client may not carry control characters (they break logs, CSV exports and terminals).</summary>
    public static bool HasControlCharacters(string value) => value.Any(char.IsControl);

    /// <summary>A list size from the query string: default when absent, 400 when out of range.</summary>
    public static bool TryLimit(int? requested, int defaultLimit, int max, out int limit, out ProblemHttpResult? problem)
    {
        limit = requested ?? defaultLimit;
        problem = limit is < 1 || limit > max ? Invalid("limit", $"limit must be between 1 and {max}.") : null;
        return problem is null;
    }
}
