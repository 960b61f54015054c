using Grocery.Workflows.Contracts.Substitutions;
using Grocery.Workflows.Persistence.Orders;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Grocery.Workflows.Api.Orders;

/// <summary>The body of POST /api/orders/{orderId}/substitutions/decisions: the customer's answer per short line.</summary>
public sealed record DecisionsRequest(IReadOnlyList<Sent<DecisionRequest>>? Decisions)
{
    /// <summary>The answers, or the problem that answers the body.</summary>
    public static (IReadOnlyList<CustomerAnswer>? Answers, ProblemHttpResult? Problem) Validate(Sent<DecisionsRequest> sent)
    {
        if (!sent.TryGet(out var body) || body.Decisions is not { Count: > 0 and <= OrderToPlace.MaxLines } decisions)
        {
            return (null, Problems.Invalid("decisions", "decisions is required: a list of {\"sku\", \"approve\": true|false}."));
        }

        var answers = new List<CustomerAnswer>(decisions.Count);
        foreach (var decision in decisions)
        {
            if (!decision.TryGet(out var given) || given.Sku is not { Length: > 0 and <= 64 } sku || Problems.IsNotPlainText(sku)
                || given.Approve is not { } approve)
            {
                return (null, Problems.Invalid("decisions", "Each decision is {\"sku\": \"...\", \"approve\": true|false}."));
            }

            answers.Add(new CustomerAnswer(sku, approve));
        }

        return (answers, null);
    }
}

/// <summary>One answer: approve the replacement offered for the SKU, or not.</summary>
public sealed record DecisionRequest(string? Sku, bool? Approve);
