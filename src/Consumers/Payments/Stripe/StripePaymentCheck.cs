namespace Grocery.Workflows.Consumers.Payments.Stripe;

/// <summary>A Stripe order pays with a PaymentMethod the storefront collected: anything else would fail at authorization.</summary>
public sealed class StripePaymentCheck : IPaymentCheck
{
    public Task<PaymentRefusal?> Check(OrderPayment payment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payment);
        return Task.FromResult(payment.Token.StartsWith(StripeProvider.PaymentMethodPrefix, StringComparison.Ordinal)
            ? null
            : new PaymentRefusal("Invalid payment token", $"A Stripe payment.token is a PaymentMethod id ({StripeProvider.PaymentMethodPrefix}...)."));
    }
}
