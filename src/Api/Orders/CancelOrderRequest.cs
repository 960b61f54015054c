using Microsoft.AspNetCore.Http.HttpResults;

namespace Grocery.Workflows.Api.Orders;

// The shape the OpenAPI document shows (a doc comment here would become its description); CancelOrderRequest binds it.
public sealed record CancelRequest(string? Reason);

/// <summary>
/// The optional body of POST /api/orders/{orderId}/cancel as bound: a reason left out takes the caller's default, and a
/// reason sent as null or as another type is refused rather than taken for one left out.
/// </summary>
public sealed record CancelOrderRequest(Sent<string> Reason)
{
    /// <summary>The reason given (null when none is), or the problem that answers the body.</summary>
    public static (string? Reason, ProblemHttpResult? Problem) Validate(Sent<CancelOrderRequest> sent)
    {
        if (!sent.TryGet(out var body))
        {
            return (null, Problems.Invalid("body", "The body is optional; when sent it is {\"reason\": \"...\"}."));
        }

        if (!body.Reason.IsSent)
        {
            return (null, null);
        }

        return body.Reason.TryGet(out var given) && given.Trim().Length is > 0 and <= 200 && !Problems.IsNotPlainText(given)
            ? (given.Trim(), null)
            : (null, Problems.Invalid("reason", "reason must be 1 to 200 characters of plain text."));
    }
}
