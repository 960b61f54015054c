namespace Grocery.Workflows.Consumers.Payments.MoMo;

/// <summary>MoMo as the engine offers it: the name the storefront chooses it by, the token, the currency and the flag that switches it off.</summary>
public static class MoMoProvider
{
    public const string Name = "momo";

    /// <summary>The only token: the customer approves each payment in the MoMo app.</summary>
    public const string Token = "wallet";

    /// <summary>MoMo moves Vietnamese dong only.</summary>
    public const string Currency = "VND";

    /// <summary>The feature flag of that name in <c>GroceryFeatures</c> (section <c>FeatureManagement</c>); a test keeps the two alike.</summary>
    public const string Feature = "MoMoPayments";
}
