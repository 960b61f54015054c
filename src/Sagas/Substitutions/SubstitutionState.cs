using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Substitutions;
using MassTransit;

namespace Grocery.Workflows.Sagas.Substitutions;

/// <summary>One round of short lines put to the customer. Correlated by the round id.</summary>
public sealed class SubstitutionState : IGrocerySagaState
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public int Version { get; set; }

    public Guid OrderId { get; set; }
    public SubstitutionPreference Preference { get; set; }
    public List<ShortLine> Lines { get; set; } = [];
    public List<SubstitutionDecision> Decisions { get; set; } = [];
    public DateTimeOffset? DecideBy { get; set; }
    public Guid? DecisionDeadlineToken { get; set; }

    /// <summary>Replacements proposed in this round (the denominator of the acceptance rate).</summary>
    public int Proposed { get; set; }

    /// <summary>Replacements accepted, by the customer or by the accept preference.</summary>
    public int Accepted { get; set; }
}
