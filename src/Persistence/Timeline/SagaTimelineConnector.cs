using Grocery.Workflows.Sagas;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grocery.Workflows.Persistence.Timeline;

/// <summary>
/// Connects the timeline observer to every state machine of the saga catalog. Registered before the bus, so it starts (and the
/// observers are in place) before the first message is consumed.
/// </summary>
internal sealed class SagaTimelineConnector(IServiceProvider services, TimeProvider time) : IHostedService
{
    private readonly List<IDisposable> _handles = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var host = $"{Environment.MachineName}/{Environment.ProcessId}";
        var connector = new Connector(this, host);
        foreach (var saga in SagaCatalog.All)
        {
            saga.Accept(connector);
        }

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

    private void Connect<TMachine, TState>(string sagaType, string host)
        where TMachine : MassTransitStateMachine<TState>
        where TState : class, IGrocerySagaState
    {
        // Only where the machine is registered: an API-only host has no bus consuming, a test host may have fewer.
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

    private sealed class Connector(SagaTimelineConnector owner, string host) : ISagaVisitor<bool>
    {
        bool ISagaVisitor<bool>.Visit<TMachine, TState, TSettings>(SagaDescriptor saga)
        {
            owner.Connect<TMachine, TState>(saga.Name, host);
            return true;
        }
    }
}
