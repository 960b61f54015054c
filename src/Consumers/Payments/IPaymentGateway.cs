using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Consumers.Payments;

/// <summary>
/// A payment provider as the order needs it: hold, capture up to the hold, release the hold, give money back.
/// A technical failure (timeout, 5xx) throws and the step is retried with the same idempotency key; a refusal is a
/// result. Provider types stay inside the adapter.
/// </summary>
public interface IPaymentGateway
{
    /// <summary>The name the storefront uses in <c>payment.provider</c>.</summary>
    string Provider { get; }

    /// <summary>
    /// True when the provider captures a hold only whole (an e-wallet whose confirm takes the authorized amount only): a smaller total is then captured whole and
    /// the rest refunded at once.
    /// </summary>
    bool CapturesWholeHoldOnly => false;

    Task<PaymentResult> Authorize(PaymentCall call, string token, Money amount, CancellationToken cancellationToken);

    Task<PaymentResult> Capture(PaymentCall call, string authorizationId, Money amount, CancellationToken cancellationToken);

    /// <summary>Releases a hold of <paramref name="amount"/> (null when the ledger does not know it). Voiding a released hold is not an error.</summary>
    Task Void(PaymentCall call, string authorizationId, Money? amount, CancellationToken cancellationToken);

    Task<PaymentResult> Refund(PaymentCall call, string captureId, Money amount, CancellationToken cancellationToken);
}
