namespace Grocery.Workflows.Contracts.Payments;

/// <summary>Authorize (hold, do not capture) an amount on the customer's payment method.</summary>
/// <param name="OrderId">The order (with the step, the provider idempotency key).</param>
/// <param name="Provider">Payment provider.</param>
/// <param name="Token">Provider token or payment method id.</param>
/// <param name="Amount">The amount to hold: the estimate plus a margin for weighed items.</param>
public sealed record AuthorizePayment(Guid OrderId, string Provider, string Token, Money Amount);

/// <summary>Compensation: release an authorization that will not be captured.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Provider">Payment provider.</param>
/// <param name="AuthorizationId">The provider's authorization (payment intent) id.</param>
public sealed record VoidPaymentAuthorization(Guid OrderId, string Provider, string AuthorizationId);

/// <summary>
/// Capture the picked total. When the total exceeds what the authorization holds, or the hold lapses (or is about to)
/// before capture, the payment method is authorized again for the total first and the old authorization is voided.
/// </summary>
/// <param name="OrderId">The order.</param>
/// <param name="Provider">Payment provider.</param>
/// <param name="Token">The payment method, for a new authorization.</param>
/// <param name="AuthorizationId">The authorization to capture from.</param>
/// <param name="Amount">The picked total.</param>
public sealed record CapturePayment(Guid OrderId, string Provider, string Token, string AuthorizationId, Money Amount);

/// <summary>Compensation after capture: give the money back.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Provider">Payment provider.</param>
/// <param name="CaptureId">The capture to refund.</param>
/// <param name="Amount">The amount to refund (at most what the capture has left).</param>
/// <param name="Step">
/// <c>refund</c> (the order's refund, answered with <see cref="PaymentRefunded"/>) or <c>refund-excess</c> (a hold
/// captured whole above the picked total gives the rest back; no answer). Part of the idempotency key.
/// </param>
public sealed record RefundPayment(Guid OrderId, string Provider, string CaptureId, Money Amount, string Step = RefundPayment.OrderRefund)
{
    /// <summary>The order's refund (delivery failed, or a capture after the order gave up).</summary>
    public const string OrderRefund = "refund";

    /// <summary>What a whole-hold capture took above the picked total.</summary>
    public const string ExcessRefund = "refund-excess";
}

/// <summary>The amount is held on the customer's payment method.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="AuthorizationId">The provider's authorization id (the handle to capture or void).</param>
/// <param name="Amount">The amount held.</param>
public sealed record PaymentAuthorized(Guid OrderId, string AuthorizationId, Money Amount);

/// <summary>Business refusal: the provider declined the authorization.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Reason">The provider's decline code or message.</param>
public sealed record PaymentDeclined(Guid OrderId, string Reason);

/// <summary>The authorization was voided.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="AuthorizationId">The voided authorization.</param>
public sealed record PaymentAuthorizationVoided(Guid OrderId, string AuthorizationId);

/// <summary>The picked total was captured.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="AuthorizationId">The authorization captured from: a new one when the order was authorized again.</param>
/// <param name="CaptureId">The provider's capture id (the handle to refund).</param>
/// <param name="Amount">The amount captured.</param>
public sealed record PaymentCaptured(Guid OrderId, string AuthorizationId, string CaptureId, Money Amount);

/// <summary>Business refusal: the provider would not capture.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Reason">The provider's code or message.</param>
public sealed record PaymentCaptureFailed(Guid OrderId, string Reason);

/// <summary>The captured amount was refunded.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="RefundId">The provider's refund id.</param>
/// <param name="Amount">The amount refunded.</param>
public sealed record PaymentRefunded(Guid OrderId, string RefundId, Money Amount);

/// <summary>The provider reports that it cancelled an authorization (a lapsed hold, a cancellation outside the engine).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Provider">Payment provider.</param>
/// <param name="AuthorizationId">The authorization that no longer holds money.</param>
/// <param name="Reason">The provider's reason.</param>
public sealed record PaymentAuthorizationLapsed(Guid OrderId, string Provider, string AuthorizationId, string Reason);

/// <summary>The provider reports what has been refunded of a capture, including refunds made outside the engine (a dashboard).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Provider">Payment provider.</param>
/// <param name="CaptureId">The capture refunded.</param>
/// <param name="ReportId">The provider's id of the report (its event id).</param>
/// <param name="TotalRefunded">What the capture's refunds now total.</param>
public sealed record PaymentRefundReported(Guid OrderId, string Provider, string CaptureId, string ReportId, Money TotalRefunded);

/// <summary>
/// The provider reports the customer's answer to an authorization asked in its app (an e-wallet's approval screen).
/// </summary>
/// <param name="OrderId">The order.</param>
/// <param name="Provider">Payment provider.</param>
/// <param name="AuthorizationId">The authorization asked for.</param>
/// <param name="Approved">True when the amount is now held.</param>
/// <param name="Amount">The amount held (or refused).</param>
/// <param name="HoldExpiresAt">Until when the hold lasts, when approved.</param>
/// <param name="Reason">The provider's code or message, when not approved.</param>
public sealed record PaymentApprovalReported(
    Guid OrderId, string Provider, string AuthorizationId, bool Approved, Money Amount, DateTimeOffset? HoldExpiresAt, string? Reason);
