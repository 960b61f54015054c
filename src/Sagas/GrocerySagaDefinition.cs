using MassTransit;
using MassTransit.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Sagas;

/// <summary>
/// Endpoint policy shared by the five sagas. A concurrency conflict (two events for one instance at once) and a
/// transient fault are retried with back-off. What still fails reaches the error queue, and the faulted command's
/// sender sees <c>Fault&lt;T&gt;</c>. The outbox (durable in the host, in-memory in tests) is chosen by the bus.
/// </summary>
public sealed class GrocerySagaDefinition<TState> : SagaDefinition<TState>
    where TState : class, ISaga
{
    public GrocerySagaDefinition() => ConcurrentMessageLimit = 64;

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<TState> sagaConfigurator,
        IRegistrationContext context)
    {
        // Events for one order (every saga instance is keyed by its order id, and so is every message's
        // CorrelationId) take turns here, in memory, instead of in the database: one in flight per order, the rest
        // waiting without a transaction, a connection or a row lock. Concurrency across orders is unchanged.
        // In the pre-pipe, ahead of the per-message-type filters: added as an ordinary filter it runs inside the
        // retries, and a message waiting for its retry let the order's next message go first.
        new AheadOfMessageTypeFilters(endpointConfigurator)
            .UsePartitioner<ConsumeContext>(ConcurrentMessageLimit ?? 64, c => c.CorrelationId ?? c.MessageId ?? Guid.Empty);

        // A failure of the infrastructure (the host registers which, as a Predicate<Exception>) is left to the bus's
        // longer retry: once an inner retry has given up, MassTransit's outer retry does not try again.
        var infrastructure = context.GetService<Predicate<Exception>>();
        endpointConfigurator.UseMessageRetry(r =>
        {
            if (infrastructure is not null)
            {
                r.Ignore<Exception>(e => infrastructure(e));
            }

            r.Intervals(10, 50, 100, 250, 500, 1000, 2000);
        });
    }

    private sealed class AheadOfMessageTypeFilters(IConsumePipeConfigurator endpoint) : IPipeConfigurator<ConsumeContext>
    {
        public void AddPipeSpecification(IPipeSpecification<ConsumeContext> specification) => endpoint.AddPrePipeSpecification(specification);
    }
}
