using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Persistence.Payments;
using Grocery.Workflows.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Api.Payments;

public sealed record WebhookAnswer(string EventId, string Outcome);

/// <summary>
/// The providers' notifications, one route for all: the provider named in the path (its <see cref="IPaymentWebhook"/>,
/// registered under that name) verifies and reads the body. A notification that is not signed by the provider is
/// answered 400 and changes nothing; a verified one is applied once per event id (<see cref="ApplyProviderEvent"/>).
/// </summary>
public static class WebhookEndpoints
{
    private const int MaxEventId = 128;
    private const int MaxEventType = 64;

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/api/webhooks").WithTags("Webhooks")
            // The providers sign their calls; the provider's webhook checks the signature before anything is applied.
            .AllowAnonymous();
        hooks.WithBodyLimit(RequestLimits.WebhookBody);
        hooks.MapPost("/{provider}", Receive)
            .WithSummary("A payment provider's notification (the provider as named in payment.provider), verified with the provider's signature and settings before it is applied; answered as the provider expects (200 with the outcome, or 204). 404 for a provider that sends none here.");
        return app;
    }

    private static async Task<IResult> Receive(string provider, HttpRequest request, ApplyProviderEvent apply, CancellationToken cancellationToken)
    {
        if (WebhookOf(request.HttpContext.RequestServices, provider) is not { } webhook)
        {
            return Problems.NotFound("Payment provider", "No payment provider of that name sends notifications to this engine.");
        }

        // The same rules as every other body (size, JSON, text), before the provider reads it: a provider never sends
        // anything else, and its signature check then runs on text that every reader decodes alike.
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
            notification = webhook.Read(System.Text.Encoding.UTF8.GetString(body.Bytes.Span), name => request.Headers[name].ToString());
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
        return webhook.AnswersNoContent ? TypedResults.NoContent() : TypedResults.Ok(new WebhookAnswer(result.EventId, Words(result.Outcome)));
    }

    /// <summary>
    /// The provider registered under the path's name. Each provider had a route of its own before, whose literal
    /// matched in any case; names are registered in lower case, so a URL configured at a provider in another case
    /// still arrives.
    /// </summary>
    private static IPaymentWebhook? WebhookOf(IServiceProvider services, string provider) =>
        services.GetKeyedService<IPaymentWebhook>(provider) ?? services.GetKeyedService<IPaymentWebhook>(provider.ToLowerInvariant());

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
