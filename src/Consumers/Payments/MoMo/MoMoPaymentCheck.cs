using Microsoft.FeatureManagement;
using Microsoft.FeatureManagement.FeatureFilters;

namespace Grocery.Workflows.Consumers.Payments.MoMo;

/// <summary>
/// A MoMo order is approved by the customer in the app (token <c>wallet</c>) and paid in VND; the feature flag
/// switches new MoMo orders off without touching the payments already under way. The flag is evaluated for the
/// customer (targeting user) in the store (targeting group <c>store:{id}</c>), so a <c>Microsoft.Targeting</c>
/// filter can open MoMo store by store and to a share of customers, the same customers every time.
/// </summary>
public sealed class MoMoPaymentCheck(IFeatureManager features) : IPaymentCheck
{
    public async Task<PaymentRefusal?> Check(OrderPayment payment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payment);
        var audience = new TargetingContext { UserId = payment.CustomerId, Groups = [StoreGroup(payment.StoreId)] };
        if (!await features.IsEnabledAsync(MoMoProvider.Feature, audience))
        {
            return new PaymentRefusal("Payment provider switched off",
                $"MoMo payments are switched off for now for this customer at store '{payment.StoreId}' (feature {MoMoProvider.Feature}); choose another payment provider.");
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

    /// <summary>The targeting group of a store's customers.</summary>
    public static string StoreGroup(string storeId) => "store:" + storeId;
}
