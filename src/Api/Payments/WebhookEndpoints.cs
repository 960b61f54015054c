using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Consumers.Payments.MoMo;
using Grocery.Workflows.Consumers.Payments.Stripe;
using Grocery.Workflows.Persistence.Payments;
using Grocery.Workflows.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Grocery.Workflows.Api.Payments;

public sealed record WebhookAnswer(string EventId, string Outcome);

/// <summary>
/// The providers' notifications. A notification that is not signed by the provider is answered 400 and changes
/// nothing; a verified one is applied once per event id (a redelivery is answered 200 and skipped) and told to the
/// order's workflow through the outbox, in the same transaction as the record that it was seen.
/// </summary>
public static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/api/webhooks").WithTags("Webhooks")
            // The providers sign their calls; each handler checks the signature before reading anything.
            .AllowAnonymous();
        hooks.WithBodyLimit(RequestLimits.WebhookBody);
        hooks.MapPost("/stripe", Stripe).WithSummary("Stripe events, verified with the Stripe-Signature header and Stripe:WebhookSecret.");
        hooks.MapPost("/momo", MoMo).WithSummary("MoMo IPNs, verified with their HMAC-SHA256 signature and MoMo:SecretKey; answered 204.");
        return app;
    }

    private static Task<IResult> Stripe(HttpRequest request, StripeWebhook webhook, ApplyProviderEvent apply, CancellationToken cancellationToken) =>
        Receive(request, body => webhook.Read(body, request.Headers["Stripe-Signature"].ToString()), apply, cancellationToken);

    private static async Task<IResult> MoMo(HttpRequest request, MoMoWebhook webhook, ApplyProviderEvent apply, CancellationToken cancellationToken)
    {
        var answer = await Receive(request, webhook.Read, apply, cancellationToken);
        // MoMo expects 204 No Content once the IPN is taken.
        return answer is Ok<WebhookAnswer> ? TypedResults.NoContent() : answer;
    }

    /// <summary>Reads the raw body, has the provider's adapter verify and read it, and applies it.</summary>
    private static async Task<IResult> Receive(HttpRequest request, Func<string, PaymentNotification> read, ApplyProviderEvent apply,
        CancellationToken cancellationToken)
    {
        // The same rules as every other body (size, JSON, text), before the adapter reads it: a provider never sends
        // anything else, and the adapter's signature check then runs on text that every reader decodes alike.
        var body = await JsonBody.Read(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        if (body.Json.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            return Problems.Invalid("body", "A provider's notification is a JSON object.");
        }

        PaymentNotification notification;
        try
        {
            notification = read(System.Text.Encoding.UTF8.GetString(body.Bytes.Span));
        }
        catch (PaymentNotificationRejectedException e)
        {
            return Problems.BadRequest("Webhook refused", e.Message);
        }

        // The provider's ids are short; one past the column it is kept in is not the provider's.
        if (notification.EventId.Length > MaxEventId || notification.EventType.Length > MaxEventType)
        {
            return Problems.BadRequest("Webhook refused", $"An event id is at most {MaxEventId} characters and an event type at most {MaxEventType}.");
        }

        var result = await apply.Handle(notification, cancellationToken);
        return TypedResults.Ok(new WebhookAnswer(result.EventId, Words(result.Outcome)));
    }

    private const int MaxEventId = 128;
    private const int MaxEventType = 64;

    /// <summary>The outcome as the answer's <c>outcome</c> says it.</summary>
    private static string Words(ProviderEventOutcome outcome) => outcome switch
    {
        ProviderEventOutcome.Applied => "applied",
        ProviderEventOutcome.Duplicate => "duplicate",
        ProviderEventOutcome.NoMatchingOrder => "no matching order",
        ProviderEventOutcome.Acknowledged => "acknowledged",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };
}
