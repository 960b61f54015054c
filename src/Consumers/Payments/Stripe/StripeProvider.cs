using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Consumers.Payments.Stripe;

/// <summary>Stripe as the engine offers it: the name the storefront chooses it by, the tokens it takes, and its services.</summary>
public static class StripeProvider
{
    public const string Name = "stripe";

    /// <summary>Stripe's PaymentMethod ids start so.</summary>
    public const string PaymentMethodPrefix = "pm_";

    public const string Section = "Stripe";

    /// <summary>
    /// Its settings, order check and webhook always (a webhook is refused while its secret is unset), and its gateway
    /// when <c>Stripe:ApiKey</c> is set.
    /// </summary>
    public static IServiceCollection AddStripePayments(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<StripeSettings>().BindConfiguration(Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(new PaymentProviderSwitch(Name, $"{Section}:{nameof(StripeSettings.ApiKey)}"));
        services.AddKeyedSingleton<IPaymentCheck, StripePaymentCheck>(Name);
        services.AddKeyedSingleton<IPaymentWebhook, StripeWebhook>(Name);
        if (!string.IsNullOrWhiteSpace(configuration[$"{Section}:{nameof(StripeSettings.ApiKey)}"]))
        {
            services.AddHttpClient<StripePaymentGateway>((sp, http) => http.Timeout = sp.GetRequiredService<IOptions<StripeSettings>>().Value.Timeout);
            services.AddKeyedSingleton<IPaymentGateway>(Name, (sp, _) => sp.GetRequiredService<StripePaymentGateway>());
        }

        return services;
    }
}
