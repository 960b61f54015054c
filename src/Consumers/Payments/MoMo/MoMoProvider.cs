using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Consumers.Payments.MoMo;

/// <summary>
/// MoMo as the engine offers it: the name the storefront chooses it by, the token, the currency, the flag that
/// switches it off, and its services.
/// </summary>
public static class MoMoProvider
{
    public const string Name = "momo";

    /// <summary>The only token: the customer approves each payment in the MoMo app.</summary>
    public const string Token = "wallet";

    /// <summary>MoMo moves Vietnamese dong only.</summary>
    public const string Currency = "VND";

    /// <summary>The feature flag of that name in <c>GroceryFeatures</c> (section <c>FeatureManagement</c>); a test keeps the two alike.</summary>
    public const string Feature = "MoMoPayments";

    public const string Section = "MoMo";

    /// <summary>
    /// Its settings, order check and IPN reader always (an IPN is refused while MoMo is not configured), and its
    /// gateway when <c>MoMo:PartnerCode</c> is set.
    /// </summary>
    public static IServiceCollection AddMoMoPayments(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<MoMoSettings>().BindConfiguration(Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(new PaymentProviderSwitch(Name, $"{Section}:{nameof(MoMoSettings.PartnerCode)}"));
        services.AddKeyedSingleton<IPaymentCheck, MoMoPaymentCheck>(Name);
        services.AddKeyedSingleton<IPaymentWebhook, MoMoWebhook>(Name);
        if (!string.IsNullOrWhiteSpace(configuration[$"{Section}:{nameof(MoMoSettings.PartnerCode)}"]))
        {
            services.AddHttpClient<MoMoPaymentGateway>((sp, http) => http.Timeout = sp.GetRequiredService<IOptions<MoMoSettings>>().Value.Timeout);
            services.AddKeyedSingleton<IPaymentGateway>(Name, (sp, _) => sp.GetRequiredService<MoMoPaymentGateway>());
        }

        return services;
    }
}
