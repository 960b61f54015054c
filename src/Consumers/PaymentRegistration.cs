using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Consumers.Payments.MoMo;
using Grocery.Workflows.Consumers.Payments.Sandbox;
using Grocery.Workflows.Consumers.Payments.Stripe;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Consumers;

public static class PaymentRegistration
{
    /// <summary>
    /// The payment policy and every provider. Each registers itself under its name (<c>payment.provider</c>): its
    /// settings, its gateway when its settings offer it, the check of an order's payment and its webhook.
    /// <paramref name="decorate"/> wraps every gateway (the host counts their calls) without the providers knowing.
    /// </summary>
    public static IServiceCollection AddPayments(this IServiceCollection services, IConfiguration configuration,
        Func<IPaymentGateway, IPaymentGateway>? decorate = null)
    {
        services.AddOptions<PaymentSettings>().BindConfiguration("Payments").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new PaymentGateways(
            sp.GetKeyedServices<IPaymentGateway>(KeyedService.AnyKey).Select(decorate ?? (gateway => gateway)), sp.GetServices<PaymentProviderSwitch>(), sp));
        services.AddSandboxPayments(configuration);
        services.AddStripePayments(configuration);
        services.AddMoMoPayments(configuration);
        return services;
    }
}
