using Grocery.Workflows.Sagas;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Grocery.Workflows.Messaging.Sagas;

/// <summary>Plugs <see cref="EfSagaRepositoryContextFactory{TSaga}"/> into <c>AddSagaStateMachine</c> for every saga.</summary>
public sealed class EfSagaRepositoryRegistrationProvider : ISagaRepositoryRegistrationProvider
{
    public void Configure<TSaga>(ISagaRegistrationConfigurator<TSaga> configurator)
        where TSaga : class, ISaga
    {
        ArgumentNullException.ThrowIfNull(configurator);
        var register = typeof(EfSagaRepositoryRegistrationProvider).GetMethod(nameof(Register))!
            .MakeGenericMethod(typeof(TSaga));
        configurator.Repository(r => register.Invoke(null, [r]));
    }

    /// <summary>The repository's services for one saga (public only so that <see cref="Configure{TSaga}"/> can close it over a saga type).</summary>
    public static void Register<TSaga>(IServiceCollection services)
        where TSaga : class, IGrocerySagaState
    {
        services.TryAddSingleton<EfSagaRepositoryContextFactory<TSaga>>();
        services.TryAddSingleton<ISagaRepositoryContextFactory<TSaga>>(sp => sp.GetRequiredService<EfSagaRepositoryContextFactory<TSaga>>());
        services.TryAddSingleton<IQuerySagaRepositoryContextFactory<TSaga>>(sp => sp.GetRequiredService<EfSagaRepositoryContextFactory<TSaga>>());
        services.TryAddSingleton<ILoadSagaRepositoryContextFactory<TSaga>>(sp => sp.GetRequiredService<EfSagaRepositoryContextFactory<TSaga>>());
        services.TryAddSingleton(sp =>
        {
            var factory = sp.GetRequiredService<EfSagaRepositoryContextFactory<TSaga>>();
            return new SagaRepository<TSaga>(factory, factory, factory);
        });
        services.TryAddSingleton<ISagaRepository<TSaga>>(sp => sp.GetRequiredService<SagaRepository<TSaga>>());
        services.TryAddSingleton<IQuerySagaRepository<TSaga>>(sp => sp.GetRequiredService<SagaRepository<TSaga>>());
        services.TryAddSingleton<ILoadSagaRepository<TSaga>>(sp => sp.GetRequiredService<SagaRepository<TSaga>>());
    }
}
