using Grocery.Workflows.Sagas;
using Grocery.Workflows.Sagas.Delivery;
using Grocery.Workflows.Sagas.Orders;
using Grocery.Workflows.Sagas.Picking;
using Grocery.Workflows.Sagas.Slots;
using Grocery.Workflows.Sagas.Substitutions;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grocery.Workflows.Persistence.Timeline;

/// <summary>
/// Connects the timeline observer to the five state machines. Registered before the bus, so it starts (and the
/// observers are in place) before the first message is consumed.
/// </summary>
internal sealed class SagaTimelineConnector(IServiceProvider services, TimeProvider time) : IHostedService
{
    private readonly List<IDisposable> _handles = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var host = $"{Environment.MachineName}/{Environment.ProcessId}";
        Connect<OrderStateMachine, OrderState>(host);
        Connect<SlotReservationStateMachine, SlotReservationState>(host);
        Connect<PickingStateMachine, PickingState>(host);
        Connect<SubstitutionStateMachine, SubstitutionState>(host);
        Connect<DeliveryStateMachine, DeliveryState>(host);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        // A host can be stopped twice at once (a test factory's dispose and its lifetime): take the handles once.
        IDisposable[] handles;
        lock (_handles)
        {
            handles = [.. _handles];
            _handles.Clear();
        }

        foreach (var handle in handles)
        {
            handle.Dispose();
        }

        return Task.CompletedTask;
    }

    // Saga names come from the catalog, the one list the API and the docs use too.
    private void Connect<TMachine, TState>(string host)
        where TMachine : MassTransitStateMachine<TState>
        where TState : class, IGrocerySagaState
    {
        var sagaType = SagaCatalog.All.Single(e => e.StateType == typeof(TState)).Name;
        var machine = services.GetService<TMachine>();
        if (machine is not null)
        {
            var handle = machine.ConnectStateObserver(new SagaTimelineObserver<TState>(sagaType, host, time));
            lock (_handles)
            {
                _handles.Add(handle);
            }
        }
    }
}
