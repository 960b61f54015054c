using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Consumers.Payments.MoMo;
using Grocery.Workflows.Consumers.Payments.Stripe;
using Grocery.Workflows.Contracts.Payments;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Messaging;
using Grocery.Workflows.Messaging.Outbox;
using Grocery.Workflows.Persistence.Payments;
using Grocery.Workflows.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Grocery.Workflows.Api.Payments;

public sealed record WebhookAnswer(string EventId, string Outcome);

/// <summary>
/// The providers' notifications. A notification that is not signed by the provider is answered 400 and changes
/// nothing; a verified one is applied once per event id (a redelivery is answered 200 and skipped) and told to the
/// order's workflow through the outbox, in the same transaction as the record that it was seen.
/// </summary>
public static partial class WebhookEndpoints
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

    private static Task<IResult> Stripe(HttpRequest request, StripeWebhook webhook, WorkflowDbContext db, OutboxWriter outbox, OutboxSignal signal,
        WriteGate gate, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        Receive(request, body => webhook.Read(body, request.Headers["Stripe-Signature"].ToString()), db, outbox, signal, gate, time, loggers,
            cancellationToken);

    private static async Task<IResult> MoMo(HttpRequest request, MoMoWebhook webhook, WorkflowDbContext db, OutboxWriter outbox, OutboxSignal signal,
        WriteGate gate, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var answer = await Receive(request, webhook.Read, db, outbox, signal, gate, time, loggers, cancellationToken);
        // MoMo expects 204 No Content once the IPN is taken.
        return answer is Ok<WebhookAnswer> ? TypedResults.NoContent() : answer;
    }

    /// <summary>Reads the raw body, has the provider's adapter verify and read it, and applies it.</summary>
    private static async Task<IResult> Receive(HttpRequest request, Func<string, PaymentNotification> read, WorkflowDbContext db, OutboxWriter outbox,
        OutboxSignal signal, WriteGate gate, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
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

        return await Apply(notification, db, outbox, signal, gate, time, loggers.CreateLogger(typeof(WebhookEndpoints)), cancellationToken);
    }

    private const int MaxEventId = 128;
    private const int MaxEventType = 64;

    private static async Task<IResult> Apply(PaymentNotification notification, WorkflowDbContext db, OutboxWriter outbox, OutboxSignal signal, WriteGate gate,
        TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        if (await db.ProviderEvents.AnyAsync(e => e.Provider == notification.Provider && e.EventId == notification.EventId, cancellationToken))
        {
            return TypedResults.Ok(new WebhookAnswer(notification.EventId, "duplicate"));
        }

        var orderId = notification.OrderId;
        if (orderId is null && notification.PaymentId is { } paymentId)
        {
            orderId = await db.PaymentLedger.AsNoTracking().Where(r => r.Provider == notification.Provider && r.ProviderId == paymentId)
                .Select(r => (Guid?)r.OrderId).FirstOrDefaultAsync(cancellationToken);
        }

        if (notification.Kind == PaymentNotificationKind.Disputed)
        {
            LogDispute(logger, notification.Provider, orderId, notification.PaymentId, notification.Reason);
        }

        var messages = orderId is { } order ? notification.ToMessages(order) : [];
        foreach (var message in messages)
        {
            _ = message switch
            {
                PaymentDeclined m => outbox.Publish(m),
                PaymentAuthorizationLapsed m => outbox.Publish(m),
                PaymentRefundReported m => outbox.Publish(m),
                PaymentApprovalReported m => outbox.Publish(m),
                _ => throw new InvalidOperationException($"No outbox route for {message.GetType().Name}."),
            };
        }

        db.ProviderEvents.Add(new ProviderEvent
        {
            Provider = notification.Provider, EventId = notification.EventId, EventType = notification.EventType, OrderId = orderId,
            ReceivedAt = time.GetUtcNow(),
        });
        try
        {
            using (await gate.Enter(cancellationToken))
            {
                await db.SaveChangesAsync(cancellationToken);
            }
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (!await db.ProviderEvents.AsNoTracking().AnyAsync(e => e.Provider == notification.Provider && e.EventId == notification.EventId,
                CancellationToken.None))
            {
                throw;
            }

            // The same event raced in on another request (a provider retry): that one applied it.
            return TypedResults.Ok(new WebhookAnswer(notification.EventId, "duplicate"));
        }

        signal.Notify();
        var outcome = messages.Count > 0 ? "applied" : orderId is null && notification.Kind != PaymentNotificationKind.Ignored ? "no matching order" : "acknowledged";
        return TypedResults.Ok(new WebhookAnswer(notification.EventId, outcome));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Provider} reports a dispute for order {OrderId} (payment {PaymentId}): {Detail}. Answer it in the provider's dashboard.")]
    private static partial void LogDispute(ILogger logger, string provider, Guid? orderId, string? paymentId, string? detail);
}
