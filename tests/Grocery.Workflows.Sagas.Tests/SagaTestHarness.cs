using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Grocery.Workflows.Sagas.Delivery;
using Grocery.Workflows.Sagas.Orders;
using Grocery.Workflows.Sagas.Picking;
using Grocery.Workflows.Sagas.Slots;
using Grocery.Workflows.Sagas.Substitutions;
using Microsoft.FeatureManagement;

namespace Grocery.Workflows.Sagas.Tests;

/// <summary>
/// A fresh MassTransit test harness per scenario with every saga of the catalog on the in-memory transport and the in-memory
/// delayed scheduler. Deadlines are shortened through the settings classes; nothing waits on Task.Delay.
/// </summary>
public sealed class SagaTestHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private SagaTestHarness(ServiceProvider provider, ITestHarness bus)
    {
        _provider = provider;
        Bus = bus;
    }

    public ITestHarness Bus { get; }

    public OrderSagaSettings Order { get; private init; } = null!;
    public SlotReservationSettings Slot { get; private init; } = null!;
    public PickingSettings Picking { get; private init; } = null!;
    public SubstitutionSettings Substitution { get; private init; } = null!;
    public DeliverySettings Delivery { get; private init; } = null!;

    /// <summary>Deadlines long enough never to fire in a test unless the test shortens them.</summary>
    public static async Task<SagaTestHarness> Start(
        Action<OrderSagaSettings>? order = null,
        Action<SlotReservationSettings>? slot = null,
        Action<PickingSettings>? picking = null,
        Action<SubstitutionSettings>? substitution = null,
        Action<DeliverySettings>? delivery = null,
        Action<IBusRegistrationConfigurator>? world = null,
        IReadOnlyDictionary<string, bool>? features = null)
    {
        var orderSettings = Configure(new OrderSagaSettings { StartPickingImmediately = true }, order);
        var slotSettings = Configure(new SlotReservationSettings { HoldDuration = TimeSpan.FromMinutes(5) }, slot);
        var pickingSettings = Configure(new PickingSettings { PickerTimeout = TimeSpan.FromMinutes(5) }, picking);
        var substitutionSettings = Configure(new SubstitutionSettings { DecisionTimeout = TimeSpan.FromMinutes(5) }, substitution);
        var deliverySettings = Configure(new DeliverySettings
        {
            CourierAssignmentTimeout = TimeSpan.FromMinutes(5),
            PickupTimeout = TimeSpan.FromMinutes(5),
            DeliveryTimeout = TimeSpan.FromMinutes(5),
            DispatchImmediately = true,
        }, delivery);

        var services = new ServiceCollection();
        if (features is not null)
        {
            services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
                .AddInMemoryCollection(features.Select(f => KeyValuePair.Create($"FeatureManagement:{f.Key}", (string?)f.Value.ToString())))
                .Build());
            services.AddFeatureManagement();
        }

        // Every saga of the catalog gets its settings: the ones shortened above, defaults for any other.
        object[] shortened = [orderSettings, slotSettings, pickingSettings, substitutionSettings, deliverySettings];
        foreach (var saga in SagaCatalog.All)
        {
            services.AddSingleton(saga.SettingsType, Array.Find(shortened, s => s.GetType() == saga.SettingsType) ?? saga.NewSettings());
        }

        var provider = services
            .AddSingleton(TimeProvider.System)
            .AddMassTransitTestHarness(x =>
            {
                x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(20), testInactivityTimeout: TimeSpan.FromMilliseconds(800));
                x.AddDelayedMessageScheduler();
                x.AddGrocerySagas();
                world?.Invoke(x);
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseDelayedMessageScheduler();
                    cfg.UseInMemoryOutbox(context);
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(validateScopes: true);

        var bus = provider.GetRequiredService<ITestHarness>();
        await bus.Start();
        return new SagaTestHarness(provider, bus)
        {
            Order = orderSettings,
            Slot = slotSettings,
            Picking = pickingSettings,
            Substitution = substitutionSettings,
            Delivery = deliverySettings,
        };
    }

    public ISagaStateMachineTestHarness<TMachine, TState> Saga<TMachine, TState>()
        where TMachine : class, SagaStateMachine<TState>
        where TState : class, SagaStateMachineInstance =>
        Bus.GetSagaStateMachineHarness<TMachine, TState>();

    /// <summary>Publishes with the order id as the correlation id, as the host's outbox does: the sagas' partitioner keys on it.</summary>
    public Task Publish<T>(T message)
        where T : class =>
        Bus.Bus.Publish(message, context =>
        {
            if (typeof(T).GetProperty("OrderId")?.GetValue(message) is Guid orderId)
            {
                context.CorrelationId = orderId;
            }
        });

    /// <summary>Waits until the saga reaches the state, then returns the instance.</summary>
    [AssertionMethod]
    public async Task<TState> InState<TMachine, TState>(Guid correlationId, Func<TMachine, State> state)
        where TMachine : class, SagaStateMachine<TState>
        where TState : class, SagaStateMachineInstance
    {
        var saga = Saga<TMachine, TState>();
        var found = await saga.Exists(correlationId, state, TimeSpan.FromSeconds(10));
        var instance = saga.Sagas.ContainsInState(correlationId, saga.StateMachine, state);
        found.ShouldNotBeNull($"{typeof(TState).Name} {correlationId} did not reach {state(saga.StateMachine).Name}; " +
            $"it is {CurrentState(saga.Sagas.Contains(correlationId))}");
        return instance!;
    }

    /// <summary>
    /// From now on, every state one instance enters and the event that took it there, in order (a transition that passes
    /// through a state shows it): what the durable host writes to the saga timeline.
    /// </summary>
    public IReadOnlyCollection<(string State, string Event)> Transitions<TMachine, TState>(Guid correlationId)
        where TMachine : class, SagaStateMachine<TState>
        where TState : class, SagaStateMachineInstance
    {
        var observer = new StateRecorder<TState>(correlationId);
        Saga<TMachine, TState>().StateMachine.ConnectStateObserver(observer);
        return observer.Entered;
    }

    /// <summary>The current state name, after the bus has gone quiet.</summary>
    public async Task<string?> StateAfterQuiet<TMachine, TState>(Guid correlationId)
        where TMachine : class, SagaStateMachine<TState>
        where TState : class, SagaStateMachineInstance
    {
        await Quiet();
        var saga = Saga<TMachine, TState>();
        return CurrentState(saga.Sagas.Contains(correlationId));
    }

    /// <summary>Waits (up to the harness timeout) for a published message that matches.</summary>
    [AssertionMethod]
    public async Task<T> Published<T>(Func<T, bool>? match = null)
        where T : class
    {
        // Each SelectAsync gives up after the inactivity timeout; a slow moment on a busy machine must not end the
        // wait early, so it is asked again until the test's own limit.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        do
        {
            var found = await Bus.Published.SelectAsync<T>(m => match?.Invoke(m.Context.Message) ?? true).FirstOrDefault();
            if (found is not null)
            {
                return found.Context.Message;
            }
        }
        while (DateTime.UtcNow < until);

        throw new ShouldAssertException($"No {typeof(T).Name} was published that matches.");
    }

    /// <summary>How many matching messages were published once the bus has gone quiet.</summary>
    public async Task<int> CountPublished<T>(Func<T, bool>? match = null)
        where T : class
    {
        await Quiet();
        return Bus.Published.Select<T>(m => match?.Invoke(m.Context.Message) ?? true).Take(1000).Count();
    }

    /// <summary>Waits (up to 10 s) until the harness has seen at least <paramref name="count"/> messages of T consumed.</summary>
    [AssertionMethod]
    public async Task Consumed<T>(int count)
        where T : class
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Bus.Consumed.Select<T>().Take(10_000).Count() < count)
        {
            if (DateTime.UtcNow > until)
            {
                throw new ShouldAssertException($"Fewer than {count} {typeof(T).Name} were consumed.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Waits until nothing was published, sent or consumed for a quiet period (and at least <paramref name="atLeast"/>),
    /// so that a test can assert that something did not happen. Used only for such negative assertions.
    /// </summary>
    public async Task Quiet(TimeSpan? atLeast = null)
    {
        var quietPeriod = TimeSpan.FromMilliseconds(600);
        var total = Stopwatch.StartNew();
        var sinceChange = Stopwatch.StartNew();
        var seen = Activity();
        while (sinceChange.Elapsed < quietPeriod || total.Elapsed < (atLeast ?? TimeSpan.Zero))
        {
            await Task.Delay(25);
            var now = Activity();
            if (now != seen)
            {
                seen = now;
                sinceChange.Restart();
            }
        }

        long Activity() =>
            Bus.Published.Select(_ => true).Take(100_000).LongCount() +
            Bus.Sent.Select(_ => true).Take(100_000).LongCount() +
            Bus.Consumed.Select(_ => true).Take(100_000).LongCount();
    }

    /// <summary>The published messages of the given types, in the order they were published, once the bus is quiet.</summary>
    public async Task<IReadOnlyList<object>> PublishedInOrder(params Type[] types)
    {
        await Quiet();
        return [.. Bus.Published.Select(m => types.Contains(m.MessageType)).Take(1000).Select(m => m.MessageObject)];
    }

    public async ValueTask DisposeAsync()
    {
        await Bus.Stop();
        await _provider.DisposeAsync();
    }

    // Every saga state of ours keeps its state name in CurrentState.
    private static string? CurrentState(object? instance) =>
        (string?)instance?.GetType().GetProperty("CurrentState")?.GetValue(instance);

    private static T Configure<T>(T settings, Action<T>? change)
    {
        change?.Invoke(settings);
        return settings;
    }

    private sealed class StateRecorder<TState>(Guid correlationId) : IStateObserver<TState>
        where TState : class, SagaStateMachineInstance
    {
        public ConcurrentQueue<(string State, string Event)> Entered { get; } = new();

        public Task StateChanged(BehaviorContext<TState> context, State currentState, State previousState)
        {
            if (context.Saga.CorrelationId == correlationId)
            {
                Entered.Enqueue((currentState.Name, context.Event.Name));
            }

            return Task.CompletedTask;
        }
    }
}
