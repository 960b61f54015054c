using Grocery.Workflows.Contracts;
using Microsoft.Extensions.Options;
using Stripe;

namespace Grocery.Workflows.Consumers.Payments.Stripe;

/// <summary>
/// Reads a Stripe webhook: the <c>Stripe-Signature</c> header must carry an HMAC-SHA256 of <c>{t}.{body}</c> with the
/// endpoint's secret, and <c>t</c> must be within <see cref="StripeSettings.WebhookTolerance"/> of now.
/// </summary>
public sealed class StripeWebhook(IOptions<StripeSettings> options, TimeProvider time) : IPaymentWebhook
{
    public const string SignatureHeader = "Stripe-Signature";

    public PaymentNotification Read(string body, Func<string, string> header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return Read(body, header(SignatureHeader));
    }

    private PaymentNotification Read(string body, string? signature)
    {
        var settings = options.Value;
        if (string.IsNullOrEmpty(settings.WebhookSecret))
        {
            throw new PaymentNotificationRejectedException("Stripe webhooks are refused: Stripe:WebhookSecret is not set.");
        }

        if (string.IsNullOrWhiteSpace(signature))
        {
            throw new PaymentNotificationRejectedException($"The {SignatureHeader} header is missing.");
        }

        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ConstructEvent(body, signature, settings.WebhookSecret, (long)settings.WebhookTolerance.TotalSeconds,
                time.GetUtcNow().ToUnixTimeSeconds(), throwOnApiVersionMismatch: false);
        }
        catch (StripeException e)
        {
            throw new PaymentNotificationRejectedException("The Stripe event is refused: " + e.Message);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or Newtonsoft.Json.JsonException or NullReferenceException or InvalidCastException
                                       or ArgumentException or FormatException or InvalidOperationException or OverflowException)
        {
            // Signed, so it came from Stripe's side, but not an event Stripe.net can read (a JSON null, an array, a
            // field of the wrong type): refused, never a 500.
            throw new PaymentNotificationRejectedException("The Stripe event is not readable: " + e.Message);
        }

        // Signed but not an event (a JSON null, an object without id or type): nothing to apply, and nothing to store.
        if (stripeEvent is null || string.IsNullOrEmpty(stripeEvent.Id) || string.IsNullOrEmpty(stripeEvent.Type))
        {
            throw new PaymentNotificationRejectedException("The Stripe event has no id or type.");
        }

        var data = stripeEvent.Data?.Object;
        return (stripeEvent.Type, data) switch
        {
            ("payment_intent.payment_failed", PaymentIntent intent) => Notification(stripeEvent, PaymentNotificationKind.Declined, intent.Metadata, intent.Id,
                intent.LastPaymentError?.DeclineCode ?? intent.LastPaymentError?.Code ?? "payment_failed"),
            ("payment_intent.canceled", PaymentIntent intent) => Notification(stripeEvent, PaymentNotificationKind.AuthorizationCancelled, intent.Metadata,
                intent.Id, intent.CancellationReason ?? "canceled"),
            ("charge.refunded", Charge charge) => Notification(stripeEvent, PaymentNotificationKind.Refunded, charge.Metadata, charge.PaymentIntentId, null,
                new Money(charge.AmountRefunded, CurrencyOf(charge))),
            (_, Dispute dispute) => Notification(stripeEvent, PaymentNotificationKind.Disputed, dispute.Metadata, dispute.PaymentIntentId,
                $"{stripeEvent.Type}: {dispute.Reason} ({dispute.Status}), {dispute.Amount} {dispute.Currency}"),
            _ => Notification(stripeEvent, PaymentNotificationKind.Ignored, null, null, null),
        };
    }

    /// <summary>A refund is money in a currency: a signed charge without one is refused like any other unreadable event, not a 500.</summary>
    private static string CurrencyOf(Charge charge) =>
        string.IsNullOrWhiteSpace(charge.Currency)
            ? throw new PaymentNotificationRejectedException($"The Stripe event is not readable: charge {charge.Id} has no currency.")
            : charge.Currency.ToUpperInvariant();

    private static PaymentNotification Notification(Event e, PaymentNotificationKind kind, Dictionary<string, string>? metadata, string? paymentId,
        string? reason, Money? amount = null) =>
        new(StripeProvider.Name, e.Id, e.Type, kind,
            metadata is not null && metadata.TryGetValue("order_id", out var order) && Guid.TryParse(order, out var orderId) ? orderId : null,
            paymentId, reason, amount);
}
