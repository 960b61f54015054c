using Grocery.Workflows.Consumers.Delivery.Grab;
using Grocery.Workflows.Consumers.Delivery.StoreFleet;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Consumers.Delivery;

public static class CourierRegistration
{
    /// <summary>
    /// The couriers: their settings, Grab's gateway and webhook reader when Grab is configured, the store's fleet, and
    /// <see cref="CourierGateways"/>. <paramref name="decorate"/> wraps every gateway (the host counts their calls).
    /// </summary>
    public static IServiceCollection AddCouriers(this IServiceCollection services, IConfiguration configuration, Func<ICourierGateway, ICourierGateway>? decorate = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CourierSettings>().BindConfiguration(CourierSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<GrabSettings>().BindConfiguration(GrabSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<GrabWebhook>();
        services.AddSingleton<GrabTokens>();
        services.AddHttpClient(nameof(GrabTokens), (sp, http) => http.Timeout = sp.GetRequiredService<IOptions<GrabSettings>>().Value.Timeout);
        services.AddHttpClient<GrabExpressGateway>((sp, http) => http.Timeout = sp.GetRequiredService<IOptions<GrabSettings>>().Value.Timeout);
        services.AddSingleton(sp =>
        {
            var gateways = new List<ICourierGateway> { new StoreFleetGateway() };
            if (!string.IsNullOrWhiteSpace(sp.GetRequiredService<IOptions<GrabSettings>>().Value.ClientId))
            {
                gateways.Add(sp.GetRequiredService<GrabExpressGateway>());
            }

            return new CourierGateways(gateways.Select(decorate ?? (g => g)), sp.GetRequiredService<IOptions<CourierSettings>>());
        });
        return services;
    }
}
