using Grocery.Workflows.Persistence.Sagas;
using Grocery.Workflows.Sagas;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Persistence.Timeline;

/// <summary>
/// Writes one <see cref="SagaTimelineEntry"/> per transition into the DbContext of the message, so the row commits or
/// rolls back with the state change itself.
/// </summary>
public sealed class SagaTimelineObserver<TSaga>(string sagaType, string hostInstance, TimeProvider time) : IStateObserver<TSaga>
    where TSaga : class, IGrocerySagaState
{
    public Task StateChanged(BehaviorContext<TSaga> context, State currentState, State previousState)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(currentState);

        // A new instance is first put in Initial (from no state): that is creation, not a transition.
        if (previousState is null)
        {
            return Task.CompletedTask;
        }

        var db = context.TryGetPayload(out WorkflowDbPayload? payload) ? payload.Db : ScopedContext(context);
        if (db is not null)
        {
            db.Timeline.Add(new SagaTimelineEntry
            {
                SagaType = sagaType,
                CorrelationId = context.Saga.CorrelationId,
                OrderId = context.Saga.OrderId,
                FromState = previousState.Name,
                ToState = currentState.Name,
                Event = context.Event.Name,
                MessageId = context.MessageId,
                At = time.GetUtcNow(),
                HostInstance = hostInstance,
            });
        }

        return Task.CompletedTask;
    }

    private static WorkflowDbContext? ScopedContext(PipeContext context) =>
        context.TryGetPayload(out IServiceProvider? services) ? services.GetService<WorkflowDbContext>() : null;
}
