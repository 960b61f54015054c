using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Orders;
using Grocery.Workflows.Contracts.Substitutions;
using Grocery.Workflows.Sagas.Substitutions;
using MassTransit;

namespace Grocery.Workflows.Sagas.Tests;

public sealed class SubstitutionSagaTests
{
    private readonly Guid _orderId = Guid.NewGuid();
    private readonly Guid _roundId = Guid.NewGuid();
    private static readonly OrderLine Greek = new("GREEK-YOG", "Greek yoghurt", SaleUnit.Each, 1, 15_000);
    private static readonly OrderLine Plantain = new("PLANTAIN", "Plantain", SaleUnit.Kilogram, 1.2m, 28_000);

    private static readonly ShortLine[] TwoProposals =
    [
        new("YOGHURT", "Yoghurt", 1, Greek),
        new("BANANA", "Bananas", 1.2m, Plantain),
    ];

    private Task<SubstitutionState> InState(SagaTestHarness h, Func<SubstitutionStateMachine, State> state) =>
        h.InState<SubstitutionStateMachine, SubstitutionState>(_roundId, state);

    private async Task Propose(SagaTestHarness h, SubstitutionPreference preference, params ShortLine[] lines)
    {
        await h.Publish(new ProposeSubstitutions(_orderId, _roundId, preference, lines));
        await h.Published<SubstitutionsProposed>(m => m.RoundId == _roundId);
        await InState(h, m => m.AwaitingCustomerDecision);
    }

    [Fact]
    public async Task The_customer_is_asked_with_a_deadline_and_approving_every_line_decides_the_round()
    {
        await using var h = await SagaTestHarness.Start();
        await Propose(h, SubstitutionPreference.Ask, TwoProposals);
        var asked = await h.Published<SubstitutionsProposed>(m => m.RoundId == _roundId);
        asked.DecideBy.ShouldBe(DateTimeOffset.UtcNow + h.Substitution.DecisionTimeout, TimeSpan.FromSeconds(10));
        asked.Lines.ShouldBe(TwoProposals);

        await h.Publish(new AnswerSubstitutions(_orderId, _roundId, [new CustomerAnswer("YOGHURT", true), new CustomerAnswer("BANANA", true)]));

        var decided = await InState(h, m => m.Decided);
        decided.DecisionDeadlineToken.ShouldBeNull();
        var decision = await h.Published<SubstitutionsDecided>(m => m.RoundId == _roundId);
        decision.Decisions.ShouldBe(
        [
            new SubstitutionDecision("YOGHURT", SubstitutionOutcome.Accepted, Greek, ByDefault: false),
            new SubstitutionDecision("BANANA", SubstitutionOutcome.Accepted, Plantain, ByDefault: false),
        ]);
        (decision.Proposed, decision.Accepted).ShouldBe((2, 2));
    }

    [Fact]
    public async Task Rejected_replacements_refund_their_lines()
    {
        await using var h = await SagaTestHarness.Start();
        await Propose(h, SubstitutionPreference.Accept, TwoProposals);

        await h.Publish(new AnswerSubstitutions(_orderId, _roundId, [new CustomerAnswer("YOGHURT", false)]));
        await h.Publish(new AnswerSubstitutions(_orderId, _roundId, [new CustomerAnswer("BANANA", true)]));

        await InState(h, m => m.Decided);
        var decision = await h.Published<SubstitutionsDecided>(m => m.RoundId == _roundId);
        decision.Decisions.Select(d => (d.Sku, d.Outcome)).ShouldBe(
            [("YOGHURT", SubstitutionOutcome.Rejected), ("BANANA", SubstitutionOutcome.Accepted)]);
        (decision.Proposed, decision.Accepted).ShouldBe((2, 1));
    }

    [Fact]
    public async Task At_the_deadline_the_accept_preference_takes_the_open_replacements()
    {
        await using var h = await SagaTestHarness.Start(substitution: s => s.DecisionTimeout = TimeSpan.FromMilliseconds(300));
        await Propose(h, SubstitutionPreference.Accept, TwoProposals);
        await h.Publish(new AnswerSubstitutions(_orderId, _roundId, [new CustomerAnswer("YOGHURT", false)]));

        await InState(h, m => m.Decided);
        var decision = await h.Published<SubstitutionsDecided>(m => m.RoundId == _roundId);
        decision.Decisions.ShouldBe(
        [
            new SubstitutionDecision("YOGHURT", SubstitutionOutcome.Rejected, null, ByDefault: false),
            new SubstitutionDecision("BANANA", SubstitutionOutcome.Accepted, Plantain, ByDefault: true),
        ]);
        decision.Accepted.ShouldBe(1);
    }

    [Theory]
    [InlineData(SubstitutionPreference.Refund)]
    [InlineData(SubstitutionPreference.Ask)]
    public async Task At_the_deadline_refund_and_ask_refund_the_open_lines(SubstitutionPreference preference)
    {
        await using var h = await SagaTestHarness.Start(substitution: s => s.DecisionTimeout = TimeSpan.FromMilliseconds(300));
        await Propose(h, preference, TwoProposals);

        await InState(h, m => m.Decided);
        var decision = await h.Published<SubstitutionsDecided>(m => m.RoundId == _roundId);
        decision.Decisions.ShouldAllBe(d => d.Outcome == SubstitutionOutcome.Rejected && d.ByDefault);
        (decision.Proposed, decision.Accepted).ShouldBe((2, 0));
    }

    [Fact]
    public async Task A_round_without_any_replacement_is_decided_at_once_without_asking()
    {
        await using var h = await SagaTestHarness.Start();

        await h.Publish(new ProposeSubstitutions(_orderId, _roundId, SubstitutionPreference.Ask, [new ShortLine("BANANA", "Bananas", 1.2m, null)]));

        await InState(h, m => m.Decided);
        var decision = await h.Published<SubstitutionsDecided>(m => m.RoundId == _roundId);
        decision.Decisions.ShouldBe([new SubstitutionDecision("BANANA", SubstitutionOutcome.NoReplacement, null, ByDefault: false)]);
        (decision.Proposed, decision.Accepted).ShouldBe((0, 0));
        (await h.CountPublished<SubstitutionsProposed>()).ShouldBe(0);
    }

    [Fact]
    public async Task A_withdrawn_round_is_never_decided_even_when_its_deadline_passes()
    {
        await using var h = await SagaTestHarness.Start(substitution: s => s.DecisionTimeout = TimeSpan.FromMilliseconds(300));
        await Propose(h, SubstitutionPreference.Accept, TwoProposals);

        await h.Publish(new WithdrawSubstitutions(_orderId, _roundId));

        await InState(h, m => m.Withdrawn);
        await h.Quiet(atLeast: TimeSpan.FromSeconds(1));
        (await h.StateAfterQuiet<SubstitutionStateMachine, SubstitutionState>(_roundId)).ShouldBe("Withdrawn");
        (await h.CountPublished<SubstitutionsDecided>()).ShouldBe(0);
    }

    [Fact]
    public async Task A_withdrawal_that_overtakes_the_proposal_means_the_customer_is_never_asked()
    {
        await using var h = await SagaTestHarness.Start();

        await h.Publish(new WithdrawSubstitutions(_orderId, _roundId));
        (await InState(h, m => m.Withdrawn)).OrderId.ShouldBe(_orderId);
        await h.Publish(new ProposeSubstitutions(_orderId, _roundId, SubstitutionPreference.Ask, TwoProposals));

        (await h.StateAfterQuiet<SubstitutionStateMachine, SubstitutionState>(_roundId)).ShouldBe("Withdrawn");
        (await h.CountPublished<SubstitutionsProposed>()).ShouldBe(0);
        (await h.CountPublished<SubstitutionsDecided>()).ShouldBe(0);
    }

    [Fact]
    public async Task Late_repeated_and_unknown_answers_change_nothing()
    {
        await using var h = await SagaTestHarness.Start();
        await Propose(h, SubstitutionPreference.Accept, TwoProposals);

        await h.Publish(new AnswerSubstitutions(_orderId, _roundId, [new CustomerAnswer("NOT-SHORT", true), new CustomerAnswer("YOGHURT", true)]));
        await h.Publish(new AnswerSubstitutions(_orderId, _roundId, [new CustomerAnswer("YOGHURT", false)]));
        await h.Consumed<AnswerSubstitutions>(2);
        (await h.StateAfterQuiet<SubstitutionStateMachine, SubstitutionState>(_roundId)).ShouldBe("AwaitingCustomerDecision");
        (await InState(h, m => m.AwaitingCustomerDecision)).Decisions.ShouldBe(
            [new SubstitutionDecision("YOGHURT", SubstitutionOutcome.Accepted, Greek, ByDefault: false)]);
        await h.Publish(new AnswerSubstitutions(_orderId, _roundId, [new CustomerAnswer("BANANA", false)]));
        await InState(h, m => m.Decided);
        await h.Publish(new AnswerSubstitutions(_orderId, _roundId, [new CustomerAnswer("BANANA", true)]));

        (await h.CountPublished<SubstitutionsDecided>()).ShouldBe(1);
        var decided = await InState(h, m => m.Decided);
        decided.Accepted.ShouldBe(1);
    }

    [Fact]
    public async Task With_automatic_acceptance_on_a_customer_who_accepts_is_not_asked_and_every_replacement_is_taken()
    {
        await using var h = await SagaTestHarness.Start(features: new Dictionary<string, bool> { [GroceryFeatures.AutomaticSubstitutionAcceptance] = true });

        await h.Publish(new ProposeSubstitutions(_orderId, _roundId, SubstitutionPreference.Accept, TwoProposals));

        var decided = await InState(h, m => m.Decided);
        decided.DecisionDeadlineToken.ShouldBeNull();
        var decision = await h.Published<SubstitutionsDecided>(m => m.RoundId == _roundId);
        decision.Decisions.ShouldBe(
        [
            new SubstitutionDecision("YOGHURT", SubstitutionOutcome.Accepted, Greek, ByDefault: true, Automatic: true),
            new SubstitutionDecision("BANANA", SubstitutionOutcome.Accepted, Plantain, ByDefault: true, Automatic: true),
        ]);
        (decision.Proposed, decision.Accepted).ShouldBe((2, 2));
        (await h.CountPublished<SubstitutionsProposed>(m => m.RoundId == _roundId)).ShouldBe(0);
    }

    [Theory]
    [InlineData(true, SubstitutionPreference.Ask)]
    [InlineData(true, SubstitutionPreference.Refund)]
    [InlineData(false, SubstitutionPreference.Accept)]
    public async Task Otherwise_the_customer_is_asked(bool automatic, SubstitutionPreference preference)
    {
        await using var h = await SagaTestHarness.Start(features: new Dictionary<string, bool> { [GroceryFeatures.AutomaticSubstitutionAcceptance] = automatic });

        await Propose(h, preference, TwoProposals);

        (await h.CountPublished<SubstitutionsDecided>(m => m.RoundId == _roundId)).ShouldBe(0);
    }

    [Fact]
    public async Task A_customer_who_has_not_answered_is_asked_again_with_the_same_lines_and_deadline()
    {
        await using var h = await SagaTestHarness.Start();
        await Propose(h, SubstitutionPreference.Ask, TwoProposals);
        var asked = await h.Published<SubstitutionsProposed>(m => m.RoundId == _roundId);

        await h.Publish(new ResendPendingCommand(_orderId, "SubstitutionApproval", _roundId));

        (await h.CountPublished<SubstitutionsProposed>(m => m.RoundId == _roundId)).ShouldBe(2);
        h.Bus.Published.Select<SubstitutionsProposed>(m => m.Context.Message.RoundId == _roundId).Select(m => m.Context.Message)
            .ShouldAllBe(m => m.DecideBy == asked.DecideBy && m.Lines.SequenceEqual(asked.Lines));
        (await InState(h, m => m.AwaitingCustomerDecision)).ShouldNotBeNull();
    }
}
