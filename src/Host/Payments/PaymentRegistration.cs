using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Consumers.Payments.MoMo;
using Grocery.Workflows.Consumers.Payments.Stripe;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Host.Payments;

/// <summary>Payment switches (section <c>Payments</c>, with <see cref="PaymentSettings"/>).</summary>
public sealed class PaymentProviderSettings
{
    /// <summary>Offer the sandbox provider, which moves no money: on in Development (the README's run command), off by default.</summary>
    public bool Sandbox { get; set; }

    /// <summary>Lets the sandbox be offered outside Development on purpose (a load test, a demo environment).</summary>
    public bool AllowSandboxInProduction { get; set; }
}

public static class PaymentRegistration
{
    /// <summary>
    /// The providers this instance offers: the sandbox when <c>Payments:Sandbox=true</c>, Stripe when
    /// <c>Stripe:ApiKey</c> is set, MoMo when <c>MoMo:PartnerCode</c> is set.
    /// </summary>
    public static IServiceCollection AddPayments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PaymentSettings>().BindConfiguration("Payments").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StripeSettings>().BindConfiguration("Stripe").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MoMoSettings>().BindConfiguration("MoMo").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StripeWebhook>();
        services.AddSingleton<MoMoWebhook>();
        services.AddSingleton(sp => new PaymentGateways(sp.GetServices<IPaymentGateway>().Select(g => new MeteredPaymentGateway(g)),
            sp.GetServices<PaymentProviderSwitch>(), sp));
        services.AddSingleton(new PaymentProviderSwitch("sandbox", "Payments:Sandbox"));
        services.AddSingleton(new PaymentProviderSwitch(StripeProvider.Name, "Stripe:ApiKey"));
        services.AddSingleton(new PaymentProviderSwitch(MoMoProvider.Name, "MoMo:PartnerCode"));
        services.AddKeyedSingleton<IPaymentCheck, StripePaymentCheck>(StripeProvider.Name);
        services.AddKeyedSingleton<IPaymentCheck, MoMoPaymentCheck>(MoMoProvider.Name);

        if (configuration.GetSection("Payments").Get<PaymentProviderSettings>()?.Sandbox ?? false)
        {
            services.AddSingleton<IPaymentGateway, SandboxPaymentGateway>();
        }

        if (!string.IsNullOrWhiteSpace(configuration["Stripe:ApiKey"]))
        {
            services.AddHttpClient<StripePaymentGateway>((sp, http) => http.Timeout = sp.GetRequiredService<IOptions<StripeSettings>>().Value.Timeout);
            services.AddSingleton<IPaymentGateway>(sp => sp.GetRequiredService<StripePaymentGateway>());
        }

        if (!string.IsNullOrWhiteSpace(configuration["MoMo:PartnerCode"]))
        {
            services.AddHttpClient<MoMoPaymentGateway>((sp, http) => http.Timeout = sp.GetRequiredService<IOptions<MoMoSettings>>().Value.Timeout);
            services.AddSingleton<IPaymentGateway>(sp => sp.GetRequiredService<MoMoPaymentGateway>());
        }

        return services;
    }
}
