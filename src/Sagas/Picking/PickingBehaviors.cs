using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Picking;
using Grocery.Workflows.Contracts.Substitutions;
using MassTransit;

namespace Grocery.Workflows.Sagas.Picking;

internal static class PickingBehaviors
{
    public static bool IsOrdered(this PickingState picking, string sku) =>
        picking.Lines.Exists(l => l.Sku == sku);

    /// <summary>A repeated report for a line replaces the earlier one, so a duplicate never counts twice.</summary>
    public static void Record(this PickingState picking, LineReport report)
    {
        picking.Reports.RemoveAll(r => r.Sku == report.Sku);
        picking.Reports.Add(report);
    }

    public static EventActivityBinder<PickingState, T> StartInProgress<T>(this EventActivityBinder<PickingState, T> binder, PickingStateMachine machine)
        where T : class =>
        binder
            .Schedule(machine.PickerResponse, ctx => new PickerResponseTimeout(ctx.Saga.CorrelationId))
            .Publish(ctx => new PickingStarted(ctx.Saga.CorrelationId, ctx.Saga.PickerId!))
            .TransitionTo(machine.InProgress);

    public static EventActivityBinder<PickingState, LinePicked> RecordPicked(this EventActivityBinder<PickingState, LinePicked> binder,
        PickingStateMachine machine) =>
        binder
            .Then(ctx => ctx.Saga.Record(new LineReport(ctx.Message.Sku, ctx.Message.Quantity, IsShort: false, ProposedSubstitute: null)))
            .FinishWhenEveryLineIsReported(machine);

    public static EventActivityBinder<PickingState, LineShort> RecordShort(this EventActivityBinder<PickingState, LineShort> binder,
        PickingStateMachine machine) =>
        binder
            .Then(ctx => ctx.Saga.Record(new LineReport(ctx.Message.Sku, ctx.Message.PickedQuantity, IsShort: true, ctx.Message.ProposedSubstitute)))
            .FinishWhenEveryLineIsReported(machine);

    /// <summary>
    /// When the last line is reported: without shortages picking completes; with shortages the customer is
    /// asked (a new substitution round) and picking waits for the decision.
    /// </summary>
    public static EventActivityBinder<PickingState, T> FinishWhenEveryLineIsReported<T>(
        this EventActivityBinder<PickingState, T> binder, PickingStateMachine machine)
        where T : class =>
        binder.IfElse(ctx => ctx.Saga.Reports.Count < ctx.Saga.Lines.Count,
            more => more.Schedule(machine.PickerResponse, ctx => new PickerResponseTimeout(ctx.Saga.CorrelationId)),
            done => done
                .Unschedule(machine.PickerResponse)
                .IfElse(ctx => ctx.Saga.Reports.Exists(r => r.IsShort),
                    ask => ask
                        .Then(ctx => ctx.Saga.SubstitutionRoundId = NewId.NextGuid())
                        .Publish(ctx => new ProposeSubstitutions(ctx.Saga.CorrelationId, ctx.Saga.SubstitutionRoundId!.Value,
                            ctx.Saga.SubstitutionPreference, ctx.Saga.ShortLines()))
                        .TransitionTo(machine.AwaitingSubstitutions),
                    complete => complete
                        .Then(ctx => ctx.Saga.PickedLines = [.. ctx.Saga.PickedLinesAfter([])])
                        .Publish(ctx => new PickingCompleted(ctx.Saga.CorrelationId, ctx.Saga.StoreId, ctx.Saga.PickedLines))
                        .TransitionTo(machine.Completed)));

    public static IReadOnlyList<ShortLine> ShortLines(this PickingState picking) =>
    [
        .. from report in picking.Reports
           where report.IsShort
           let line = picking.Lines.First(l => l.Sku == report.Sku)
           select new ShortLine(line.Sku, line.Name, line.Quantity - report.PickedQuantity, report.ProposedSubstitute),
    ];

    /// <summary>What leaves the store: every line's picked quantity, plus accepted replacements.</summary>
    public static IEnumerable<PickedLine> PickedLinesAfter(this PickingState picking, IReadOnlyList<SubstitutionDecision> decisions)
    {
        foreach (var line in picking.Lines)
        {
            var report = picking.Reports.First(r => r.Sku == line.Sku);
            if (report.PickedQuantity > 0)
            {
                yield return new PickedLine(line.Sku, line.Name, line.Unit, line.Quantity, report.PickedQuantity, line.UnitPrice, ReplacesSku: null);
            }

            var decision = decisions.FirstOrDefault(d => d.Sku == line.Sku);
            if (decision is { Outcome: SubstitutionOutcome.Accepted, Substitute: { } substitute })
            {
                yield return new PickedLine(substitute.Sku, substitute.Name, substitute.Unit, 0, substitute.Quantity, substitute.UnitPrice, line.Sku);
            }
        }
    }
}
