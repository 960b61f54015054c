using System.Net;
using Grocery.Workflows.Contracts;
using Microsoft.Extensions.Options;
using Stripe;

namespace Grocery.Workflows.Consumers.Payments.Stripe;

/// <summary>
/// Cards through Stripe (<c>payment.provider = "stripe"</c>, <c>payment.token = "pm_..."</c>): a PaymentIntent with
/// manual capture, confirmed at once with the customer's PaymentMethod. Every POST carries the step's idempotency key,
/// so Stripe.net's own retries and the bus's retries are answered with the first result. A card refusal or an invalid
/// request is a refusal; a timeout, 429 or 5xx throws.
/// </summary>
public sealed class StripePaymentGateway(HttpClient http, IOptions<StripeSettings> options, TimeProvider time) : IPaymentGateway
{
    private readonly StripeSettings _settings = options.Value;
    private readonly StripeClient _client = new(
        options.Value.ApiKey,
        httpClient: new SystemNetHttpClient(http, options.Value.MaxNetworkRetries),
        apiBase: string.IsNullOrWhiteSpace(options.Value.ApiBase) ? null : options.Value.ApiBase.TrimEnd('/'));

    public string Provider => StripeProvider.Name;

    public async Task<PaymentResult> Authorize(PaymentCall call, string token, Money amount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(amount);
        var intents = new PaymentIntentService(_client);
        PaymentIntent intent;
        try
        {
            intent = await intents.CreateAsync(new PaymentIntentCreateOptions
            {
                Amount = amount.Amount,
                Currency = amount.Currency.ToLowerInvariant(),
                CaptureMethod = "manual",
                Confirm = true,
                PaymentMethod = token,
                AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true, AllowRedirects = "never" },
                ErrorOnRequiresAction = true,
                Metadata = new Dictionary<string, string> { ["order_id"] = call.OrderId.ToString(), ["step"] = call.IdempotencyKey },
                Expand = ["latest_charge"],
            }, Request(call), cancellationToken);
        }
        catch (StripeException e) when (IsRefusal(e))
        {
            return PaymentResult.Refused(Reason(e));
        }

        if (intent.Status == "requires_capture")
        {
            var captureBefore = intent.LatestCharge?.PaymentMethodDetails?.Card?.CaptureBefore;
            return PaymentResult.Ok(intent.Id,
                captureBefore is { } before && before > DateTime.UnixEpoch ? new DateTimeOffset(before, TimeSpan.Zero) : time.GetUtcNow() + _settings.HoldDuration);
        }

        // 3-D Secure or another customer step: the storefront must collect it before ordering; nothing may stay held.
        await Void(call with { IdempotencyKey = call.IdempotencyKey + "-abandon" }, intent.Id, amount, cancellationToken);
        return PaymentResult.Refused(intent.Status == "requires_action" ? "authentication_required" : "unexpected status " + intent.Status);
    }

    public async Task<PaymentResult> Capture(PaymentCall call, string authorizationId, Money amount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(amount);
        try
        {
            var intent = await new PaymentIntentService(_client).CaptureAsync(authorizationId,
                new PaymentIntentCaptureOptions { AmountToCapture = amount.Amount }, Request(call), cancellationToken);
            return intent.Status == "succeeded" ? PaymentResult.Ok(intent.Id) : PaymentResult.Refused("unexpected status " + intent.Status);
        }
        catch (StripeException e) when (IsRefusal(e))
        {
            return PaymentResult.Refused(Reason(e));
        }
    }

    public async Task Void(PaymentCall call, string authorizationId, Money? amount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            await new PaymentIntentService(_client).CancelAsync(authorizationId,
                new PaymentIntentCancelOptions { CancellationReason = "abandoned" }, Request(call), cancellationToken);
        }
        catch (StripeException e) when (e.StripeError?.Code == "payment_intent_unexpected_state"
            && e.StripeError.PaymentIntent?.Status == "canceled")
        {
            // Cancelled already (by an earlier attempt, or the hold lapsed): that is what was asked.
        }
    }

    public async Task<PaymentResult> Refund(PaymentCall call, string captureId, Money amount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(amount);
        try
        {
            var refund = await new RefundService(_client).CreateAsync(new RefundCreateOptions
            {
                PaymentIntent = captureId,
                Amount = amount.Amount,
                Metadata = new Dictionary<string, string> { ["order_id"] = call.OrderId.ToString(), ["step"] = call.IdempotencyKey },
            }, Request(call), cancellationToken);
            return refund.Status is "failed" or "canceled" ? PaymentResult.Refused("refund " + refund.Status) : PaymentResult.Ok(refund.Id);
        }
        catch (StripeException e) when (IsRefusal(e))
        {
            return PaymentResult.Refused(Reason(e));
        }
    }

    private static RequestOptions Request(PaymentCall call) => new() { IdempotencyKey = call.IdempotencyKey };

    /// <summary>A card refused, or a request Stripe will refuse however often it is sent (an unknown payment method).</summary>
    private static bool IsRefusal(StripeException e) =>
        e.StripeError?.Type is "card_error" || (e.StripeError?.Type is "invalid_request_error"
            && e.HttpStatusCode is HttpStatusCode.BadRequest or HttpStatusCode.PaymentRequired or HttpStatusCode.NotFound);

    private static string Reason(StripeException e) => e.StripeError?.DeclineCode ?? e.StripeError?.Code ?? e.StripeError?.Type ?? "refused";
}
