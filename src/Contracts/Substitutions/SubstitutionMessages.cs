namespace Grocery.Workflows.Contracts.Substitutions;

/// <summary>A short line and the replacement proposed for it, if any.</summary>
/// <param name="Sku">The ordered SKU that is short.</param>
/// <param name="Name">Its name.</param>
/// <param name="MissingQuantity">How much of it is missing.</param>
/// <param name="Substitute">The proposed replacement for the missing quantity, or none.</param>
public sealed record ShortLine(string Sku, string Name, decimal MissingQuantity, OrderLine? Substitute);

/// <summary>The outcome of one short line.</summary>
public enum SubstitutionOutcome
{
    /// <summary>The replacement is accepted and will be delivered.</summary>
    Accepted,

    /// <summary>The replacement is rejected; the missing quantity is not charged.</summary>
    Rejected,

    /// <summary>No replacement was available; the missing quantity is not charged.</summary>
    NoReplacement,
}

/// <summary>The customer's answer for one short line.</summary>
/// <param name="Sku">The ordered SKU.</param>
/// <param name="Approve">True to take the replacement, false to refund the line.</param>
public sealed record CustomerAnswer(string Sku, bool Approve);

/// <summary>How one short line was decided.</summary>
/// <param name="Sku">The ordered SKU.</param>
/// <param name="Outcome">Accepted, rejected, or no replacement.</param>
/// <param name="Substitute">The replacement, when accepted.</param>
/// <param name="ByDefault">True when the customer did not decide: the deadline applied their preference, or the engine accepted at once.</param>
/// <param name="Automatic">True when the engine accepted at once (feature <c>AutomaticSubstitutionAcceptance</c>, preference Accept) without asking.</param>
public sealed record SubstitutionDecision(string Sku, SubstitutionOutcome Outcome, OrderLine? Substitute, bool ByDefault, bool Automatic = false);

/// <summary>From picking: ask the customer about these short lines; starts a substitution approval saga.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="RoundId">This round of shortages; correlates the substitution saga.</param>
/// <param name="Preference">What applies when the customer does not answer by the deadline.</param>
/// <param name="Lines">The short lines.</param>
public sealed record ProposeSubstitutions(Guid OrderId, Guid RoundId, SubstitutionPreference Preference, IReadOnlyList<ShortLine> Lines);

/// <summary>The customer is asked to decide by <paramref name="DecideBy"/> (notification to the customer).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="RoundId">The round.</param>
/// <param name="Lines">The short lines with their proposals.</param>
/// <param name="DecideBy">The deadline after which the preference applies.</param>
public sealed record SubstitutionsProposed(Guid OrderId, Guid RoundId, IReadOnlyList<ShortLine> Lines, DateTimeOffset DecideBy);

/// <summary>From the customer: approve or reject replacements (some or all lines).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="RoundId">The round being answered.</param>
/// <param name="Answers">One answer per line; lines not mentioned stay open.</param>
public sealed record AnswerSubstitutions(Guid OrderId, Guid RoundId, IReadOnlyList<CustomerAnswer> Answers);

/// <summary>Every short line of the round is decided.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="RoundId">The round.</param>
/// <param name="Decisions">One decision per short line.</param>
/// <param name="Proposed">How many replacements were proposed.</param>
/// <param name="Accepted">How many of them were accepted (the acceptance rate's numerator).</param>
public sealed record SubstitutionsDecided(Guid OrderId, Guid RoundId, IReadOnlyList<SubstitutionDecision> Decisions, int Proposed, int Accepted);

/// <summary>Picking was cancelled while the customer was being asked: stop asking.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="RoundId">The round.</param>
public sealed record WithdrawSubstitutions(Guid OrderId, Guid RoundId);

/// <summary>Scheduled by the substitution saga: the decision deadline has come.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="RoundId">The round.</param>
public sealed record SubstitutionDecisionDue(Guid OrderId, Guid RoundId);
