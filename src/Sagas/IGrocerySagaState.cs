using MassTransit;

namespace Grocery.Workflows.Sagas;

/// <summary>What every saga state of ours has: the order it belongs to and its state by name.</summary>
public interface IGrocerySagaState : SagaStateMachineInstance, ISagaVersion
{
    Guid OrderId { get; }

    string CurrentState { get; }
}
