using Grocery.Workflows.Contracts.Orders;
using Grocery.Workflows.Contracts.Picking;
using Grocery.Workflows.Contracts.Substitutions;
using MassTransit;

namespace Grocery.Workflows.Sagas.Picking;

/// <summary>
/// Picking of one order: queued for a picker, assigned, the pick list reported (each line picked or short), short lines decided by
/// the customer (substitution approval), completed with actual quantities. A silent picker is replaced.
/// </summary>
public sealed class PickingStateMachine : MassTransitStateMachine<PickingState>
{
    /// <summary>The picking saga as the engine sees it: its name, table, settings and the states it rests in when done.</summary>
    public static SagaDescriptor Saga { get; } = SagaDescriptor.Of<PickingStateMachine, PickingState, PickingSettings>(
        "Picking", table: "picking_sagas", settingsSection: "Sagas:Picking", nameof(Completed), nameof(Cancelled));

    public PickingStateMachine(PickingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);

        InstanceState(x => x.CurrentState);

        // An operator's request to send the pending command again: for this saga's instance only, never creating one.
        Event(() => ResendPendingCommand, x =>
        {
            x.CorrelateById(m => m.Message.SagaId);
            x.OnMissingInstance(m => m.Discard());
        });


        Event(() => StartPicking, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => PickerAssigned, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => PickerStarted, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => PickListReported, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => SubstitutionsDecided, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => CancelPicking, x => x.CorrelateById(m => m.Message.OrderId));

        Schedule(() => PickerResponse, x => x.PickerResponseToken, s =>
        {
            s.Delay = settings.PickerTimeout;
            s.Received = r => r.CorrelateById(m => m.Message.OrderId);
        });

        Initially(
            When(StartPicking)
                .Then(ctx =>
                {
                    ctx.Saga.StoreId = ctx.Message.StoreId;
                    ctx.Saga.Lines = [.. ctx.Message.Lines];
                    ctx.Saga.SubstitutionPreference = ctx.Message.SubstitutionPreference;
                    ctx.Saga.Attempt = 1;
                })
                .Publish(ctx => new PickingQueued(ctx.Saga.CorrelationId, ctx.Saga.StoreId, ctx.Saga.Attempt))
                .TransitionTo(Queued),
            // The cancellation overtook the start: the start, when it comes, finds a cancelled saga.
            When(CancelPicking)
                .Publish(ctx => new PickingCancelled(ctx.Saga.CorrelationId))
                .TransitionTo(Cancelled));

        During(Queued,
            When(PickerAssigned)
                .Then(ctx => ctx.Saga.PickerId = ctx.Message.PickerId)
                .Schedule(PickerResponse, ctx => new PickerResponseTimeout(ctx.Saga.CorrelationId))
                .TransitionTo(Assigned));

        During(Assigned,
            When(PickerStarted, ctx => ctx.Message.PickerId == ctx.Saga.PickerId)
                .StartInProgress(this));

        // The start overtook the assignment on a concurrent endpoint: the picker who started is the one assigned.
        During(Queued,
            When(PickerStarted)
                .Then(ctx => ctx.Saga.PickerId = ctx.Message.PickerId)
                .StartInProgress(this));

        During(InProgress,
            When(PickListReported, ctx => ctx.Message.PickerId == ctx.Saga.PickerId && ctx.Saga.ReportsAnOrderedLine(ctx.Message))
                .RecordPickList(this));

        // A pick list may overtake the start the same way (the consumers of one queue race to the order's partition):
        // a report from the assigned picker, or from anyone before a picker was ever replaced, means picking has started.
        // A report from a picker replaced after a timeout is still ignored.
        During(Assigned,
            When(PickListReported, ctx => ctx.Message.PickerId == ctx.Saga.PickerId && ctx.Saga.ReportsAnOrderedLine(ctx.Message))
                .StartInProgress(this)
                .RecordPickList(this));
        During(Queued,
            When(PickListReported, ctx => ctx.Saga.Attempt == 1 && ctx.Saga.ReportsAnOrderedLine(ctx.Message))
                .Then(ctx => ctx.Saga.PickerId = ctx.Message.PickerId)
                .StartInProgress(this)
                .RecordPickList(this));

        During(Assigned, InProgress,
            When(PickerResponse!.Received)
                .Publish(ctx => new PickerTimedOut(ctx.Saga.CorrelationId, ctx.Saga.PickerId ?? "", ctx.Saga.Attempt))
                .Then(ctx =>
                {
                    ctx.Saga.PickerId = null;
                    ctx.Saga.Attempt++;
                })
                .Publish(ctx => new PickingQueued(ctx.Saga.CorrelationId, ctx.Saga.StoreId, ctx.Saga.Attempt))
                .TransitionTo(Queued));

        During(AwaitingSubstitutions,
            When(SubstitutionsDecided, ctx => ctx.Message.RoundId == ctx.Saga.SubstitutionRoundId)
                .Then(ctx => ctx.Saga.PickedLines = [.. ctx.Saga.PickedLinesAfter(ctx.Message.Decisions)])
                .Publish(ctx => new PickingCompleted(ctx.Saga.CorrelationId, ctx.Saga.StoreId, ctx.Saga.PickedLines))
                .TransitionTo(Completed));

        During(Queued, Assigned, InProgress,
            When(CancelPicking)
                .Unschedule(PickerResponse)
                .Publish(ctx => new PickingCancelled(ctx.Saga.CorrelationId))
                .TransitionTo(Cancelled));

        During(AwaitingSubstitutions,
            When(CancelPicking)
                .Publish(ctx => new WithdrawSubstitutions(ctx.Saga.CorrelationId, ctx.Saga.SubstitutionRoundId!.Value))
                .Publish(ctx => new PickingCancelled(ctx.Saga.CorrelationId))
                .TransitionTo(Cancelled));

        // A duplicate report, a stale picker or anything for finished picking changes nothing.
        // Tells the store's pickers again that the order waits to be picked (PendingCommands).
        During(Queued,
            When(ResendPendingCommand, ctx => ctx.Message.Saga == Saga.Name)
                .Publish(ctx => new PickingQueued(ctx.Saga.CorrelationId, ctx.Saga.StoreId, ctx.Saga.Attempt)));

        OnUnhandledEvent(ctx => ctx.Ignore());
    }

    public State Queued { get; private set; } = null!;
    public State Assigned { get; private set; } = null!;
    public State InProgress { get; private set; } = null!;
    public State AwaitingSubstitutions { get; private set; } = null!;
    public State Completed { get; private set; } = null!;
    public State Cancelled { get; private set; } = null!;

    public Event<StartPicking> StartPicking { get; private set; } = null!;
    public Event<PickerAssigned> PickerAssigned { get; private set; } = null!;
    public Event<PickerStarted> PickerStarted { get; private set; } = null!;
    public Event<PickListReported> PickListReported { get; private set; } = null!;
    public Event<SubstitutionsDecided> SubstitutionsDecided { get; private set; } = null!;
    public Event<CancelPicking> CancelPicking { get; private set; } = null!;
    public Event<ResendPendingCommand> ResendPendingCommand { get; private set; } = null!;

    public Schedule<PickingState, PickerResponseTimeout> PickerResponse { get; private set; } = null!;
}
