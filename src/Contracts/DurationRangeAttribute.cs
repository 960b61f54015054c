using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Grocery.Workflows.Contracts;

/// <summary>
/// A <see cref="TimeSpan"/> setting between two durations, both included. In place of
/// <c>[DurationRange("min", "max")]</c>: that attribute parses its bounds on first use without a lock, and two
/// hosts validating their settings at once in one process (the test suite's engines) can meet it half-parsed and fail
/// with an InvalidCastException (dotnet/runtime#1143). These bounds are parsed once, here.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class DurationRangeAttribute(string minimum, string maximum) : ValidationAttribute("{0} must be between {1} and {2}.")
{
    /// <summary>The shortest duration allowed.</summary>
    public TimeSpan Minimum { get; } = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);

    /// <summary>The longest duration allowed.</summary>
    public TimeSpan Maximum { get; } = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public override bool IsValid(object? value) => value is null || (value is TimeSpan duration && duration >= Minimum && duration <= Maximum);

    /// <inheritdoc/>
    public override string FormatErrorMessage(string name) =>
        string.Format(CultureInfo.InvariantCulture, ErrorMessageString, name, Minimum, Maximum);
}
