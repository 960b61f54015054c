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

/// <summary>Capture the picked total from an authorization.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Provider">Payment provider.</param>
/// <param name="AuthorizationId">The authorization to capture from.</param>
/// <param name="Amount">The picked total.</param>
public sealed record CapturePayment(Guid OrderId, string Provider, string AuthorizationId, Money Amount);

/// <summary>Compensation after capture: give the money back.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Provider">Payment provider.</param>
/// <param name="CaptureId">The capture to refund.</param>
/// <param name="Amount">The amount to refund.</param>
public sealed record RefundPayment(Guid OrderId, string Provider, string CaptureId, Money Amount);

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
/// <param name="CaptureId">The provider's capture id (the handle to refund).</param>
/// <param name="Amount">The amount captured.</param>
public sealed record PaymentCaptured(Guid OrderId, string CaptureId, Money Amount);

/// <summary>Business refusal: the provider would not capture.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Reason">The provider's code or message.</param>
public sealed record PaymentCaptureFailed(Guid OrderId, string Reason);

/// <summary>The captured amount was refunded.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="RefundId">The provider's refund id.</param>
/// <param name="Amount">The amount refunded.</param>
public sealed record PaymentRefunded(Guid OrderId, string RefundId, Money Amount);
