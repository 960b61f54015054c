using System.Collections.Frozen;
using Grocery.Workflows.Contracts.Delivery;
using Grocery.Workflows.Contracts.Payments;
using Grocery.Workflows.Contracts.Picking;
using Grocery.Workflows.Contracts.Substitutions;
using Grocery.Workflows.Sagas.Delivery;
using Grocery.Workflows.Sagas.Orders;
using Grocery.Workflows.Sagas.Picking;
using Grocery.Workflows.Sagas.Substitutions;

namespace Grocery.Workflows.Sagas;

/// <summary>
/// The states in which a saga waits on a command it sent to someone outside it (a payment provider, the store's
/// pickers, the customer, a courier), and that command: on <c>ResendPendingCommand</c> the machine sends it again from
/// its data. A test holds this list and the machines' transitions equal.
/// </summary>
public static class PendingCommands
{
    private static readonly FrozenDictionary<(string Saga, string State), string> Commands = new Dictionary<(string, string), string>
    {
        [(OrderStateMachine.Saga.Name, nameof(OrderStateMachine.AwaitingPayment))] = nameof(AuthorizePayment),
        [(OrderStateMachine.Saga.Name, nameof(OrderStateMachine.AwaitingCapture))] = nameof(CapturePayment),
        [(OrderStateMachine.Saga.Name, nameof(OrderStateMachine.Refunding))] = nameof(RefundPayment),
        [(PickingStateMachine.Saga.Name, nameof(PickingStateMachine.Queued))] = nameof(PickingQueued),
        [(SubstitutionStateMachine.Saga.Name, nameof(SubstitutionStateMachine.AwaitingCustomerDecision))] = nameof(SubstitutionsProposed),
        [(DeliveryStateMachine.Saga.Name, nameof(DeliveryStateMachine.AwaitingCourier))] = nameof(DispatchCourier),
    }.ToFrozenDictionary();

    /// <summary>Every (saga, state) that can send its command again.</summary>
    public static IEnumerable<(string Saga, string State, string Command)> All => Commands.Select(c => (c.Key.Saga, c.Key.State, c.Value));

    /// <summary>The command the saga waits on in that state, or null when it waits on none it could send again.</summary>
    public static string? For(string saga, string? state) => state is null ? null : Commands.GetValueOrDefault((saga, state));
}
