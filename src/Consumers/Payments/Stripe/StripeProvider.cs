namespace Grocery.Workflows.Consumers.Payments.Stripe;

/// <summary>Stripe as the engine offers it: the name the storefront chooses it by, and the tokens it takes.</summary>
public static class StripeProvider
{
    public const string Name = "stripe";

    /// <summary>Stripe's PaymentMethod ids start so.</summary>
    public const string PaymentMethodPrefix = "pm_";
}
