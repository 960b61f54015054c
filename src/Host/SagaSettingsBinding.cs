using Grocery.Workflows.Sagas;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Host;

internal static class SagaSettingsBinding
{
    /// <summary>
    /// Each saga's settings bound from its section (<see cref="SagaDescriptor.SettingsSection"/>), validated on start,
    /// and the validated instance a service (the machines take it in their constructors).
    /// </summary>
    public static IServiceCollection AddSagaSettings(this IServiceCollection services)
    {
        var binder = new Binder(services);
        foreach (var saga in SagaCatalog.All)
        {
            saga.Accept(binder);
        }

        return services;
    }

    private sealed class Binder(IServiceCollection services) : ISagaVisitor<bool>
    {
        bool ISagaVisitor<bool>.Visit<TMachine, TState, TSettings>(SagaDescriptor saga)
        {
            services.AddOptions<TSettings>().BindConfiguration(saga.SettingsSection).ValidateDataAnnotations().ValidateOnStart();
            services.AddSingleton(sp => sp.GetRequiredService<IOptions<TSettings>>().Value);
            return true;
        }
    }
}
