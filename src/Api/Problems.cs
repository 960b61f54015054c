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

    /// <summary>
    /// Text from a client is plain text: no control characters (they break logs, CSV exports and terminals), no
    /// format characters (bidi overrides and zero-width marks make an id or a reason read as something it is not) and
    /// no half of a surrogate pair (not text at all; it fails wherever the string is encoded again).
    /// </summary>
    public static bool IsNotPlainText(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var i = 0;
        while (i < value.Length)
        {
            // A whole pair is one character past the BMP: text, whatever its category.
            if (char.IsSurrogatePair(value, i))
            {
                i += 2;
                continue;
            }

            var c = value[i];
            if (char.IsControl(c) || char.IsSurrogate(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)
            {
                return true;
            }

            i++;
        }

        return false;
    }

    /// <summary>A list size from the query string: default when absent, 400 when out of range.</summary>
    public static bool TryLimit(int? requested, int defaultLimit, int max, out int limit, out ProblemHttpResult? problem)
    {
        limit = requested ?? defaultLimit;
        problem = limit is < 1 || limit > max ? Invalid("limit", $"limit must be between 1 and {max}.") : null;
        return problem is null;
    }
}
