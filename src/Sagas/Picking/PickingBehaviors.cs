using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Picking;
using Grocery.Workflows.Contracts.Substitutions;
using MassTransit;

namespace Grocery.Workflows.Sagas.Picking;

internal static class PickingBehaviors
{
    /// <summary>Whether a pick list speaks of any line of this order; one about none of them changes nothing.</summary>
    public static bool ReportsAnOrderedLine(this PickingState picking, PickListReported report) =>
        report.Lines.Any(reported => picking.Lines.Exists(l => l.Sku == reported.Sku));

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

    /// <summary>Records each ordered line of the pick list (lines not ordered are ignored), then finishes if none is left.</summary>
    public static EventActivityBinder<PickingState, PickListReported> RecordPickList(this EventActivityBinder<PickingState, PickListReported> binder,
        PickingStateMachine machine) =>
        binder
            .Then(ctx =>
            {
                foreach (var line in ctx.Message.Lines.Where(l => ctx.Saga.Lines.Exists(ordered => ordered.Sku == l.Sku)))
                {
                    ctx.Saga.Record(new LineReport(line.Sku, line.PickedQuantity, line.IsShort, line.IsShort ? line.ProposedSubstitute : null));
                }
            })
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
