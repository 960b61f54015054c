using Grocery.Workflows.Sagas;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.OpsConsole;

/// <summary>
/// How long an instance may stay in a state before the console lists it as stuck (<c>Ops:Stuck</c>). The same table as
/// the stuck-saga alerts' <c>grocery:saga_state_age_bound:seconds</c> rules, which a test keeps equal: a state not
/// listed gets <see cref="DefaultBound"/>, a state in <see cref="Unbounded"/> has none (an order waits in Confirmed for
/// its picking time, possibly days), and resting states are never stuck.
/// </summary>
public sealed class StuckBounds
{
    public const string Section = "Ops:Stuck";

    public TimeSpan DefaultBound { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Saga name, then state name, to its bound.</summary>
    public Dictionary<string, Dictionary<string, TimeSpan>> Bounds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>States with no bound, as <c>Saga/State</c>.</summary>
    public List<string> Unbounded { get; set; } = [];

    /// <summary>The bound of a state, or null when an instance may rest there for any time.</summary>
    public TimeSpan? BoundOf(SagaDescriptor saga, string state)
    {
        ArgumentNullException.ThrowIfNull(saga);
        if (saga.RestingStates.Contains(state) || Unbounded.Contains($"{saga.Name}/{state}"))
        {
            return null;
        }

        return Bounds.TryGetValue(saga.Name, out var states) && states.TryGetValue(state, out var bound) ? bound : DefaultBound;
    }
}

internal sealed class StuckBoundsValidation : IValidateOptions<StuckBounds>
{
    public ValidateOptionsResult Validate(string? name, StuckBounds options)
    {
        var errors = new List<string>();
        if (options.DefaultBound <= TimeSpan.Zero)
        {
            errors.Add($"{StuckBounds.Section}:DefaultBound must be positive.");
        }

        foreach (var (saga, states) in options.Bounds)
        {
            if (SagaCatalog.Find(saga) is null)
            {
                errors.Add($"{StuckBounds.Section}:Bounds names no saga '{saga}'; the sagas are {string.Join(", ", SagaCatalog.All.Select(s => s.Name))}.");
            }

            errors.AddRange(states.Where(s => s.Value <= TimeSpan.Zero).Select(s => $"{StuckBounds.Section}:Bounds:{saga}:{s.Key} must be positive."));
        }

        foreach (var unbounded in options.Unbounded)
        {
            var parts = unbounded.Split('/');
            if (parts.Length != 2 || SagaCatalog.Find(parts[0]) is null)
            {
                errors.Add($"{StuckBounds.Section}:Unbounded has '{unbounded}'; write Saga/State with a saga of the catalog.");
            }
        }

        return errors.Count > 0 ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
    }
}
