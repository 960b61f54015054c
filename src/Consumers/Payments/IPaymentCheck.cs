namespace Grocery.Workflows.Consumers.Payments;

/// <summary>
/// What a provider asks of an order's payment before the order is accepted (the shape of its token, the currency it
/// takes, whether it is switched on), so that an order it would refuse is answered 422 at once instead of failing later.
/// Registered under the provider's name; a provider without one takes any payment its gateway is offered.
/// </summary>
public interface IPaymentCheck
{
    /// <summary>Null when the provider takes this payment; otherwise the refusal the storefront is answered with.</summary>
    Task<PaymentRefusal?> Check(OrderPayment payment, CancellationToken cancellationToken);
}
