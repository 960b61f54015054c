using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Sagas.Tests;

/// <summary>A saga's machine built as the host builds it, with its settings' defaults.</summary>
internal static class SagaMachines
{
    public static object Create(SagaDescriptor saga)
    {
        using var services = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddSingleton(saga.SettingsType, saga.NewSettings())
            .BuildServiceProvider();
        return ActivatorUtilities.CreateInstance(services, saga.MachineType);
    }
}
