using System.ComponentModel.DataAnnotations;
using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Sagas.Substitutions;

/// <summary>Durations of the substitution approval saga (section <c>Sagas:Substitution</c>).</summary>
public sealed class SubstitutionSettings
{
    /// <summary>After this long without an answer, the customer's stated preference decides.</summary>
    [DurationRange("00:00:00.001", "1.00:00:00")]
    public TimeSpan DecisionTimeout { get; set; } = TimeSpan.FromMinutes(10);
}
