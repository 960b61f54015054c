using Microsoft.FeatureManagement;

namespace Grocery.Workflows.Consumers.Payments.MoMo;

/// <summary>
/// A MoMo order is approved by the customer in the app (token <c>wallet</c>) and paid in VND; the feature flag
/// switches new MoMo orders off without touching the payments already under way.
/// </summary>
public sealed class MoMoPaymentCheck(IFeatureManager features) : IPaymentCheck
{
    public async Task<PaymentRefusal?> Check(OrderPayment payment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payment);
        if (!await features.IsEnabledAsync(MoMoProvider.Feature))
        {
            return new PaymentRefusal("Payment provider switched off",
                $"MoMo payments are switched off for now (feature {MoMoProvider.Feature}); choose another payment provider.");
        }

        if (payment.Token != MoMoProvider.Token)
        {
            return new PaymentRefusal("Invalid payment",
                $"A MoMo payment.token is \"{MoMoProvider.Token}\": the customer approves the payment in the MoMo app.");
        }

        return payment.Currency != MoMoProvider.Currency
            ? new PaymentRefusal("Invalid payment", $"MoMo takes {MoMoProvider.Currency}; store '{payment.StoreId}' sells in {payment.Currency}.")
            : null;
    }
}
