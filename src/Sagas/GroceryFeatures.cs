namespace Grocery.Workflows.Sagas;

/// <summary>
/// Feature flags (Microsoft.FeatureManagement, section <c>FeatureManagement</c>) for behaviour that is risky to turn on
/// everywhere at once. Read at <c>GET /api/features</c>; each is read when it is used, so a configuration change
/// applies without a restart.
/// </summary>
public static class GroceryFeatures
{
    public const string MoMoPayments = "MoMoPayments";

    public const string AutomaticSubstitutionAcceptance = "AutomaticSubstitutionAcceptance";

    public const string RedisSlotStore = "RedisSlotStore";

    /// <summary>Each flag's value when the configuration does not set it (key <c>FeatureManagement:{name}</c>).</summary>
    public static IReadOnlyDictionary<string, string?> Defaults { get; } = new Dictionary<string, string?>
    {
        [$"FeatureManagement:{MoMoPayments}"] = "true",
        [$"FeatureManagement:{AutomaticSubstitutionAcceptance}"] = "false",
        [$"FeatureManagement:{RedisSlotStore}"] = "true",
    };

    /// <summary>Every flag with what it switches.</summary>
    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>
    {
        [MoMoPayments] = "Offer MoMo to the storefront. Off: new MoMo orders are refused; MoMo payments already under way go on.",
        [AutomaticSubstitutionAcceptance] = "Accept replacements at once, without asking, for customers whose substitution preference is Accept.",
        [RedisSlotStore] = "Gate slot holds on the Redis counters when Slots:Store is Redis. Off: holds go to the database only (the repair pass mends the counters).",
    };
}
