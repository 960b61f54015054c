using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Orders;
using Grocery.Workflows.Contracts.Picking;
using Grocery.Workflows.Contracts.Substitutions;
using Grocery.Workflows.Sagas.Picking;
using MassTransit;

namespace Grocery.Workflows.Sagas.Tests;

public sealed class PickingSagaTests
{
    private readonly Guid _orderId = Guid.NewGuid();
    private static readonly OrderLine Milk = new("MILK-1L", "Fresh milk 1 L", SaleUnit.Each, 2, 25_000);
    private static readonly OrderLine Bananas = new("BANANA", "Bananas", SaleUnit.Kilogram, 1.2m, 30_000);
    private static readonly OrderLine Yoghurt = new("YOGHURT", "Yoghurt", SaleUnit.Each, 2, 12_000);
    private static readonly OrderLine Plantain = new("PLANTAIN", "Plantain", SaleUnit.Kilogram, 1.2m, 28_000);

    private Task<PickingState> InState(SagaTestHarness h, Func<PickingStateMachine, State> state) =>
        h.InState<PickingStateMachine, PickingState>(_orderId, state);

    private Task<string?> StateAfterQuiet(SagaTestHarness h) => h.StateAfterQuiet<PickingStateMachine, PickingState>(_orderId);

    private async Task InProgress(SagaTestHarness h, string picker = "picker-7")
    {
        await h.Publish(new StartPicking(_orderId, "hcm-01", [Milk, Bananas], SubstitutionPreference.Accept));
        (await h.Published<PickingQueued>(m => m.OrderId == _orderId)).Attempt.ShouldBe(1);
        await h.Publish(new PickerAssigned(_orderId, picker));
        await InState(h, m => m.Assigned);
        await h.Publish(new PickerStarted(_orderId, picker));
        await InState(h, m => m.InProgress);
    }

    [Fact]
    public async Task Picking_without_shortages_completes_with_the_weighed_quantities()
    {
        await using var h = await SagaTestHarness.Start();
        await InProgress(h);
        (await h.Published<PickingStarted>(m => m.OrderId == _orderId)).PickerId.ShouldBe("picker-7");

        await h.Publish(new PickListReported(_orderId, "picker-7", [PickListLine.Picked("MILK-1L", 2), PickListLine.Picked("BANANA", 1.15m)]));

        await InState(h, m => m.Completed);
        (await h.Published<PickingCompleted>(m => m.OrderId == _orderId)).Lines.ShouldBe(
        [
            new PickedLine("MILK-1L", "Fresh milk 1 L", SaleUnit.Each, 2, 2, 25_000, null),
            new PickedLine("BANANA", "Bananas", SaleUnit.Kilogram, 1.2m, 1.15m, 30_000, null),
        ]);
        (await h.CountPublished<ProposeSubstitutions>()).ShouldBe(0);
    }

    [Fact]
    public async Task Short_lines_wait_for_the_customer_and_accepted_replacements_are_picked()
    {
        await using var h = await SagaTestHarness.Start();
        await h.Publish(new StartPicking(_orderId, "hcm-01", [Milk, Bananas, Yoghurt], SubstitutionPreference.Ask));
        await h.Publish(new PickerAssigned(_orderId, "picker-7"));
        await InState(h, m => m.Assigned);
        await h.Publish(new PickerStarted(_orderId, "picker-7"));
        await InState(h, m => m.InProgress);
        var greek = new OrderLine("GREEK-YOG", "Greek yoghurt", SaleUnit.Each, 1, 15_000);

        await h.Publish(new PickListReported(_orderId, "picker-7",
            [PickListLine.Picked("MILK-1L", 2), PickListLine.PickedShort("YOGHURT", 1, greek), PickListLine.PickedShort("BANANA", 0, null)]));

        var waiting = await InState(h, m => m.AwaitingSubstitutions);
        var proposal = await h.Published<ProposeSubstitutions>(m => m.OrderId == _orderId);
        proposal.RoundId.ShouldBe(waiting.SubstitutionRoundId!.Value);
        proposal.Preference.ShouldBe(SubstitutionPreference.Ask);
        proposal.Lines.OrderBy(l => l.Sku).ShouldBe(
        [
            new ShortLine("BANANA", "Bananas", 1.2m, null),
            new ShortLine("YOGHURT", "Yoghurt", 1, greek),
        ]);

        await h.Publish(new SubstitutionsDecided(_orderId, proposal.RoundId,
        [
            new SubstitutionDecision("YOGHURT", SubstitutionOutcome.Accepted, greek, ByDefault: false),
            new SubstitutionDecision("BANANA", SubstitutionOutcome.NoReplacement, null, ByDefault: false),
        ], Proposed: 1, Accepted: 1));

        await InState(h, m => m.Completed);
        (await h.Published<PickingCompleted>(m => m.OrderId == _orderId)).Lines.ShouldBe(
        [
            new PickedLine("MILK-1L", "Fresh milk 1 L", SaleUnit.Each, 2, 2, 25_000, null),
            new PickedLine("YOGHURT", "Yoghurt", SaleUnit.Each, 2, 1, 12_000, null),
            new PickedLine("GREEK-YOG", "Greek yoghurt", SaleUnit.Each, 0, 1, 15_000, "YOGHURT"),
        ]);
    }

    [Fact]
    public async Task A_rejected_replacement_is_not_picked()
    {
        await using var h = await SagaTestHarness.Start();
        await InProgress(h);

        await h.Publish(new PickListReported(_orderId, "picker-7", [PickListLine.Picked("MILK-1L", 2), PickListLine.PickedShort("BANANA", 0, Plantain)]));
        var proposal = await h.Published<ProposeSubstitutions>(m => m.OrderId == _orderId);
        await h.Publish(new SubstitutionsDecided(_orderId, proposal.RoundId,
            [new SubstitutionDecision("BANANA", SubstitutionOutcome.Rejected, null, ByDefault: false)], Proposed: 1, Accepted: 0));

        await InState(h, m => m.Completed);
        (await h.Published<PickingCompleted>(m => m.OrderId == _orderId)).Lines.Select(l => l.Sku).ShouldBe(["MILK-1L"]);
    }

    [Fact]
    public async Task A_silent_picker_is_replaced_and_the_order_requeued()
    {
        await using var h = await SagaTestHarness.Start(picking: p => p.PickerTimeout = TimeSpan.FromMilliseconds(300));
        await h.Publish(new StartPicking(_orderId, "hcm-01", [Milk, Bananas], SubstitutionPreference.Accept));
        await h.Publish(new PickerAssigned(_orderId, "picker-7"));

        (await h.Published<PickerTimedOut>(m => m.OrderId == _orderId)).ShouldBe(new PickerTimedOut(_orderId, "picker-7", 1));
        (await h.Published<PickingQueued>(m => m.OrderId == _orderId && m.Attempt == 2)).StoreId.ShouldBe("hcm-01");
        var queued = await InState(h, m => m.Queued);
        queued.PickerId.ShouldBeNull();

        await h.Publish(new PickerAssigned(_orderId, "picker-9"));
        await InState(h, m => m.Assigned);
        (await InState(h, m => m.Assigned)).PickerId.ShouldBe("picker-9");
    }

    [Fact]
    public async Task A_picker_who_stops_mid_way_is_replaced_and_the_next_one_finishes_the_remaining_lines()
    {
        await using var h = await SagaTestHarness.Start(picking: p => p.PickerTimeout = TimeSpan.FromMilliseconds(400));
        await InProgress(h);
        await h.Publish(new PickListReported(_orderId, "picker-7", [PickListLine.Picked("MILK-1L", 2)]));

        await h.Published<PickerTimedOut>(m => m.OrderId == _orderId);
        await InState(h, m => m.Queued);
        await h.Publish(new PickListReported(_orderId, "picker-7", [PickListLine.Picked("BANANA", 1.3m)]));
        await h.Publish(new PickerAssigned(_orderId, "picker-9"));
        await InState(h, m => m.Assigned);
        await h.Publish(new PickerStarted(_orderId, "picker-9"));
        await InState(h, m => m.InProgress);
        await h.Publish(new PickListReported(_orderId, "picker-9", [PickListLine.Picked("BANANA", 1.1m)]));

        await InState(h, m => m.Completed);
        (await h.Published<PickingCompleted>(m => m.OrderId == _orderId)).Lines.Select(l => (l.Sku, l.PickedQuantity))
            .ShouldBe([("MILK-1L", 2m), ("BANANA", 1.1m)]);
    }

    [Fact]
    public async Task A_start_that_overtakes_the_assignment_starts_picking_with_that_picker()
    {
        await using var h = await SagaTestHarness.Start();
        await h.Publish(new StartPicking(_orderId, "hcm-01", [Milk], SubstitutionPreference.Accept));
        await InState(h, m => m.Queued);

        await h.Publish(new PickerStarted(_orderId, "picker-3"));
        (await InState(h, m => m.InProgress)).PickerId.ShouldBe("picker-3");
        await h.Publish(new PickerAssigned(_orderId, "picker-3"));
        await h.Publish(new PickListReported(_orderId, "picker-3", [PickListLine.Picked("MILK-1L", 2)]));

        await InState(h, m => m.Completed);
        (await h.CountPublished<PickingStarted>()).ShouldBe(1);
    }

    [Fact]
    public async Task A_part_of_the_pick_list_that_overtakes_the_start_starts_picking_and_counts_and_the_late_start_is_ignored()
    {
        await using var h = await SagaTestHarness.Start();
        await h.Publish(new StartPicking(_orderId, "hcm-01", [Milk, Bananas], SubstitutionPreference.Accept));
        await h.Publish(new PickerAssigned(_orderId, "picker-7"));
        await InState(h, m => m.Assigned);

        await h.Publish(new PickListReported(_orderId, "picker-7", [PickListLine.Picked("MILK-1L", 2)]));
        (await InState(h, m => m.InProgress)).Reports.Select(r => r.Sku).ShouldBe(["MILK-1L"]);
        await h.Publish(new PickerStarted(_orderId, "picker-7"));
        await h.Publish(new PickListReported(_orderId, "picker-7", [PickListLine.Picked("BANANA", 1.15m)]));

        await InState(h, m => m.Completed);
        (await h.PublishedInOrder(typeof(PickingStarted), typeof(PickingCompleted))).Select(m => m.GetType()).ShouldBe(
            [typeof(PickingStarted), typeof(PickingCompleted)]);
    }

    [Fact]
    public async Task A_pick_list_that_overtakes_the_assignment_starts_picking_with_that_picker()
    {
        await using var h = await SagaTestHarness.Start();
        await h.Publish(new StartPicking(_orderId, "hcm-01", [Milk], SubstitutionPreference.Accept));
        await InState(h, m => m.Queued);

        await h.Publish(new PickListReported(_orderId, "picker-3", [PickListLine.PickedShort("MILK-1L", 1, Yoghurt)]));

        await InState(h, m => m.AwaitingSubstitutions);
        (await h.Published<PickingStarted>(m => m.OrderId == _orderId)).PickerId.ShouldBe("picker-3");
        (await h.Published<ProposeSubstitutions>(m => m.OrderId == _orderId)).Lines.Select(l => (l.Sku, l.MissingQuantity)).ShouldBe([("MILK-1L", 1m)]);
    }

    [Fact]
    public async Task A_pick_list_before_the_start_from_a_picker_other_than_the_assigned_one_is_ignored()
    {
        await using var h = await SagaTestHarness.Start();
        await h.Publish(new StartPicking(_orderId, "hcm-01", [Milk], SubstitutionPreference.Accept));
        await h.Publish(new PickerAssigned(_orderId, "picker-7"));
        await InState(h, m => m.Assigned);

        await h.Publish(new PickListReported(_orderId, "picker-stale", [PickListLine.Picked("MILK-1L", 2)]));

        (await StateAfterQuiet(h)).ShouldBe("Assigned");
        (await h.CountPublished<PickingStarted>()).ShouldBe(0);
    }

    [Fact]
    public async Task A_line_reported_twice_does_not_count_twice()
    {
        await using var h = await SagaTestHarness.Start();
        await InProgress(h);

        await h.Publish(new PickListReported(_orderId, "picker-7", [PickListLine.Picked("MILK-1L", 2), PickListLine.Picked("MILK-1L", 2)]));
        await h.Publish(new PickListReported(_orderId, "picker-7", [PickListLine.Picked("MILK-1L", 2)]));

        (await StateAfterQuiet(h)).ShouldBe("InProgress");
        (await InState(h, m => m.InProgress)).Reports.Count.ShouldBe(1);
        (await h.CountPublished<PickingCompleted>()).ShouldBe(0);
    }

    [Fact]
    public async Task A_duplicate_pick_list_changes_nothing()
    {
        await using var h = await SagaTestHarness.Start();
        await InProgress(h);
        var pickList = new PickListReported(_orderId, "picker-7", [PickListLine.Picked("MILK-1L", 2), PickListLine.PickedShort("BANANA", 0, Plantain)]);

        await h.Publish(pickList);
        var waiting = await InState(h, m => m.AwaitingSubstitutions);
        await h.Publish(pickList);

        (await StateAfterQuiet(h)).ShouldBe("AwaitingSubstitutions");
        (await InState(h, m => m.AwaitingSubstitutions)).SubstitutionRoundId.ShouldBe(waiting.SubstitutionRoundId);
        (await h.CountPublished<ProposeSubstitutions>()).ShouldBe(1);
        (await h.CountPublished<PickingStarted>()).ShouldBe(1);
    }

    [Fact]
    public async Task A_whole_pick_list_that_overtakes_the_start_completes_picking_and_the_late_start_is_ignored()
    {
        await using var h = await SagaTestHarness.Start();
        await h.Publish(new StartPicking(_orderId, "hcm-01", [Milk, Bananas], SubstitutionPreference.Accept));
        await h.Publish(new PickerAssigned(_orderId, "picker-7"));
        await InState(h, m => m.Assigned);

        await h.Publish(new PickListReported(_orderId, "picker-7", [PickListLine.Picked("MILK-1L", 2), PickListLine.Picked("BANANA", 1.15m)]));
        await InState(h, m => m.Completed);
        await h.Publish(new PickerStarted(_orderId, "picker-7"));

        (await StateAfterQuiet(h)).ShouldBe("Completed");
        (await h.PublishedInOrder(typeof(PickingStarted), typeof(PickingCompleted))).Select(m => m.GetType()).ShouldBe(
            [typeof(PickingStarted), typeof(PickingCompleted)]);
        (await h.Published<PickingStarted>(m => m.OrderId == _orderId)).PickerId.ShouldBe("picker-7");
        (await h.Published<PickingCompleted>(m => m.OrderId == _orderId)).Lines.ShouldBe(
        [
            new PickedLine("MILK-1L", "Fresh milk 1 L", SaleUnit.Each, 2, 2, 25_000, null),
            new PickedLine("BANANA", "Bananas", SaleUnit.Kilogram, 1.2m, 1.15m, 30_000, null),
        ]);
        (await h.CountPublished<PickingStarted>()).ShouldBe(1);
    }

    [Fact]
    public async Task Cancelling_queued_picking_stops_it()
    {
        await using var h = await SagaTestHarness.Start();
        await h.Publish(new StartPicking(_orderId, "hcm-01", [Milk], SubstitutionPreference.Accept));
        await InState(h, m => m.Queued);

        await h.Publish(new CancelPicking(_orderId));

        await InState(h, m => m.Cancelled);
        await h.Published<PickingCancelled>(m => m.OrderId == _orderId);
        await h.Publish(new PickerAssigned(_orderId, "picker-7"));
        (await StateAfterQuiet(h)).ShouldBe("Cancelled");
    }

    [Fact]
    public async Task Cancelling_while_the_customer_decides_withdraws_the_question()
    {
        await using var h = await SagaTestHarness.Start();
        await InProgress(h);
        await h.Publish(new PickListReported(_orderId, "picker-7", [PickListLine.Picked("MILK-1L", 2), PickListLine.PickedShort("BANANA", 0, Plantain)]));
        var proposal = await h.Published<ProposeSubstitutions>(m => m.OrderId == _orderId);
        await InState(h, m => m.AwaitingSubstitutions);

        await h.Publish(new CancelPicking(_orderId));

        await InState(h, m => m.Cancelled);
        await h.Published<WithdrawSubstitutions>(m => m.RoundId == proposal.RoundId);
        await h.Published<PickingCancelled>(m => m.OrderId == _orderId);
    }

    [Fact]
    public async Task A_cancellation_that_overtakes_the_start_means_picking_never_starts()
    {
        await using var h = await SagaTestHarness.Start();

        await h.Publish(new CancelPicking(_orderId));
        await InState(h, m => m.Cancelled);
        await h.Publish(new StartPicking(_orderId, "hcm-01", [Milk], SubstitutionPreference.Accept));

        (await StateAfterQuiet(h)).ShouldBe("Cancelled");
        (await h.CountPublished<PickingQueued>()).ShouldBe(0);
    }

    [Fact]
    public async Task Reports_from_another_picker_lines_not_ordered_and_decisions_for_another_round_are_ignored()
    {
        await using var h = await SagaTestHarness.Start();
        await InProgress(h);

        await h.Publish(new PickListReported(_orderId, "picker-stale", [PickListLine.Picked("MILK-1L", 2), PickListLine.Picked("BANANA", 1.2m)]));
        await h.Publish(new PickListReported(_orderId, "picker-7", [PickListLine.Picked("NOT-ORDERED", 1)]));
        (await StateAfterQuiet(h)).ShouldBe("InProgress");
        (await InState(h, m => m.InProgress)).Reports.ShouldBeEmpty();

        // A picked line carries no replacement, even if the picker app sent one.
        await h.Publish(new PickListReported(_orderId, "picker-7",
            [PickListLine.Picked("NOT-ORDERED", 1), new PickListLine("MILK-1L", 2, IsShort: false, Plantain), PickListLine.PickedShort("BANANA", 0, Plantain)]));
        await InState(h, m => m.AwaitingSubstitutions);
        await h.Publish(new SubstitutionsDecided(_orderId, Guid.NewGuid(), [], 0, 0));

        (await StateAfterQuiet(h)).ShouldBe("AwaitingSubstitutions");
        (await InState(h, m => m.AwaitingSubstitutions)).Reports.ShouldBe(
            [new LineReport("MILK-1L", 2, IsShort: false, ProposedSubstitute: null), new LineReport("BANANA", 0, IsShort: true, Plantain)]);
        (await h.Published<ProposeSubstitutions>(m => m.OrderId == _orderId)).Lines.ShouldBe([new ShortLine("BANANA", "Bananas", 1.2m, Plantain)]);
    }

    [Fact]
    public async Task A_queued_pick_is_announced_to_the_pickers_again_on_request()
    {
        await using var h = await SagaTestHarness.Start();
        await h.Publish(new StartPicking(_orderId, "hcm-01", [Milk, Bananas], SubstitutionPreference.Accept));
        await InState(h, m => m.Queued);

        await h.Publish(new ResendPendingCommand(_orderId, "Picking", _orderId));

        (await h.CountPublished<PickingQueued>(m => m.OrderId == _orderId && m.Attempt == 1 && m.StoreId == "hcm-01")).ShouldBe(2);
        (await StateAfterQuiet(h)).ShouldBe("Queued");
    }
}
