using MassTransit;

namespace Grocery.Workflows.Sagas;

public static class SagaRegistration
{
    /// <summary>
    /// Registers every saga of <see cref="SagaCatalog"/> with the repository that the configurator provides (in-memory
    /// by default). Their settings (see <see cref="SagaDescriptor.SettingsType"/>) and a <see cref="TimeProvider"/>
    /// must be services.
    /// </summary>
    public static IBusRegistrationConfigurator AddGrocerySagas(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        var registrar = new Registrar(bus);
        foreach (var saga in SagaCatalog.All)
        {
            saga.Accept(registrar);
        }

        return bus;
    }

    private sealed class Registrar(IBusRegistrationConfigurator bus) : ISagaVisitor<bool>
    {
        bool ISagaVisitor<bool>.Visit<TMachine, TState, TSettings>(SagaDescriptor saga)
        {
            bus.AddSagaStateMachine<TMachine, TState, GrocerySagaDefinition<TState>>();
            return true;
        }
    }
}
