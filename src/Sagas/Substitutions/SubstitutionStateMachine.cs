using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Orders;
using Grocery.Workflows.Contracts.Substitutions;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FeatureManagement;

namespace Grocery.Workflows.Sagas.Substitutions;

/// <summary>
/// Puts a round of short lines to the customer: each replacement is approved or rejected; at the deadline the
/// customer's preference decides the open lines (accept takes the replacement, refund and ask refund the line). With the
/// feature <see cref="GroceryFeatures.AutomaticSubstitutionAcceptance"/> on, a customer whose preference is Accept is not
/// asked: every replacement is accepted at once.
/// </summary>
public sealed class SubstitutionStateMachine : MassTransitStateMachine<SubstitutionState>
{
    /// <summary>The substitution approval saga as the engine sees it: its name, table, settings and the states it rests in when done.</summary>
    public static SagaDescriptor Saga { get; } = SagaDescriptor.Of<SubstitutionStateMachine, SubstitutionState, SubstitutionSettings>(
        "SubstitutionApproval", table: "substitution_sagas", settingsSection: "Sagas:Substitution", nameof(Decided), nameof(Withdrawn));

    public SubstitutionStateMachine(SubstitutionSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);

        InstanceState(x => x.CurrentState);

        // An operator's request to send the pending command again: for this saga's instance only, never creating one.
        Event(() => ResendPendingCommand, x =>
        {
            x.CorrelateById(m => m.Message.SagaId);
            x.OnMissingInstance(m => m.Discard());
        });


        Event(() => ProposeSubstitutions, x => x.CorrelateById(m => m.Message.RoundId));
        Event(() => AnswerSubstitutions, x => x.CorrelateById(m => m.Message.RoundId));
        Event(() => WithdrawSubstitutions, x => x.CorrelateById(m => m.Message.RoundId));

        Schedule(() => DecisionDeadline, x => x.DecisionDeadlineToken, s =>
        {
            s.Delay = settings.DecisionTimeout;
            s.Received = r => r.CorrelateById(m => m.Message.RoundId);
        });

        Initially(
            When(ProposeSubstitutions)
                .Then(ctx => ctx.Saga.Open(ctx.Message, time.GetUtcNow() + settings.DecisionTimeout))
                .IfAsync(ctx => AcceptsAutomatically(ctx), accept => accept.Then(ctx => ctx.Saga.AcceptAll()))
                .IfElse(ctx => ctx.Saga.IsDecided(),
                    nothingToAsk => nothingToAsk
                        .PublishDecision()
                        .TransitionTo(Decided),
                    ask => ask
                        .Schedule(DecisionDeadline, ctx => new SubstitutionDecisionDue(ctx.Saga.OrderId, ctx.Saga.CorrelationId))
                        .Publish(ctx => new SubstitutionsProposed(ctx.Saga.OrderId, ctx.Saga.CorrelationId, ctx.Saga.Lines, ctx.Saga.DecideBy!.Value))
                        .TransitionTo(AwaitingCustomerDecision)),
            // The withdrawal overtook the proposal (the consumers of one queue race to the order's partition): the
            // proposal, when it comes, finds a withdrawn round and asks nobody.
            When(WithdrawSubstitutions)
                .Then(ctx => ctx.Saga.OrderId = ctx.Message.OrderId)
                .TransitionTo(Withdrawn));

        During(AwaitingCustomerDecision,
            When(AnswerSubstitutions)
                .Then(ctx => ctx.Saga.Apply(ctx.Message.Answers))
                .If(ctx => ctx.Saga.IsDecided(),
                    decided => decided
                        .Unschedule(DecisionDeadline)
                        .PublishDecision()
                        .TransitionTo(Decided)),
            When(DecisionDeadline!.Received)
                .Then(ctx => ctx.Saga.ApplyPreference())
                .PublishDecision()
                .TransitionTo(Decided),
            When(WithdrawSubstitutions)
                .Unschedule(DecisionDeadline)
                .TransitionTo(Withdrawn));

        // A late answer, a second answer or a stale deadline changes nothing.
        // Asks the customer again, with the same lines and the same deadline (PendingCommands).
        During(AwaitingCustomerDecision,
            When(ResendPendingCommand, ctx => ctx.Message.Saga == Saga.Name)
                .Publish(ctx => new SubstitutionsProposed(ctx.Saga.OrderId, ctx.Saga.CorrelationId, ctx.Saga.Lines, ctx.Saga.DecideBy!.Value)));

        OnUnhandledEvent(ctx => ctx.Ignore());
    }

    private static async Task<bool> AcceptsAutomatically(BehaviorContext<SubstitutionState, ProposeSubstitutions> context) =>
        context.Saga.Preference == SubstitutionPreference.Accept
        && context.TryGetPayload(out IServiceProvider? services)
        && services.GetService<IFeatureManager>() is { } features
        && await features.IsEnabledAsync(GroceryFeatures.AutomaticSubstitutionAcceptance);

    public State AwaitingCustomerDecision { get; private set; } = null!;
    public State Decided { get; private set; } = null!;
    public State Withdrawn { get; private set; } = null!;

    public Event<ProposeSubstitutions> ProposeSubstitutions { get; private set; } = null!;
    public Event<AnswerSubstitutions> AnswerSubstitutions { get; private set; } = null!;
    public Event<WithdrawSubstitutions> WithdrawSubstitutions { get; private set; } = null!;
    public Event<ResendPendingCommand> ResendPendingCommand { get; private set; } = null!;

    public Schedule<SubstitutionState, SubstitutionDecisionDue> DecisionDeadline { get; private set; } = null!;
}

internal static class SubstitutionBehaviors
{
    public static void Open(this SubstitutionState round, ProposeSubstitutions proposal, DateTimeOffset decideBy)
    {
        round.OrderId = proposal.OrderId;
        round.Preference = proposal.Preference;
        round.Lines = [.. proposal.Lines];
        round.DecideBy = decideBy;
        round.Proposed = proposal.Lines.Count(l => l.Substitute is not null);
        round.Decisions =
        [
            .. from line in proposal.Lines
               where line.Substitute is null
               select new SubstitutionDecision(line.Sku, SubstitutionOutcome.NoReplacement, null, ByDefault: false),
        ];
    }

    public static bool IsDecided(this SubstitutionState round) => round.Decisions.Count == round.Lines.Count;

    /// <summary>Answers for lines already decided or not in the round are ignored, so a repeated answer is harmless.</summary>
    public static void Apply(this SubstitutionState round, IEnumerable<CustomerAnswer> answers)
    {
        foreach (var answer in answers)
        {
            var line = round.OpenLines().FirstOrDefault(l => l.Sku == answer.Sku);
            if (line is not null)
            {
                round.Decide(line, answer.Approve, byDefault: false);
            }
        }
    }

    public static void ApplyPreference(this SubstitutionState round)
    {
        foreach (var line in round.OpenLines().ToList())
        {
            round.Decide(line, approve: round.Preference == SubstitutionPreference.Accept, byDefault: true);
        }
    }

    public static void AcceptAll(this SubstitutionState round)
    {
        foreach (var line in round.OpenLines().ToList())
        {
            round.Decide(line, approve: true, byDefault: true, automatic: true);
        }
    }

    private static IEnumerable<ShortLine> OpenLines(this SubstitutionState round) =>
        round.Lines.Where(l => !round.Decisions.Exists(d => d.Sku == l.Sku));

    private static void Decide(this SubstitutionState round, ShortLine line, bool approve, bool byDefault, bool automatic = false)
    {
        if (approve)
        {
            round.Accepted++;
        }

        round.Decisions.Add(approve
            ? new SubstitutionDecision(line.Sku, SubstitutionOutcome.Accepted, line.Substitute, byDefault, automatic)
            : new SubstitutionDecision(line.Sku, SubstitutionOutcome.Rejected, null, byDefault));
    }

    public static EventActivityBinder<SubstitutionState, T> PublishDecision<T>(this EventActivityBinder<SubstitutionState, T> binder)
        where T : class =>
        binder.Publish(ctx => new SubstitutionsDecided(ctx.Saga.OrderId, ctx.Saga.CorrelationId, ctx.Saga.Decisions,
            ctx.Saga.Proposed, ctx.Saga.Accepted));
}
