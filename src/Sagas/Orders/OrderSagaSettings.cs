using System.ComponentModel.DataAnnotations;
using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Sagas.Orders;

/// <summary>Durations and rules of the order saga (configuration section <c>Sagas:Order</c>).</summary>
public sealed class OrderSagaSettings : IValidatableObject
{
    /// <summary>Authorize the estimate times this percentage: weighed items and substitutions change the total.</summary>
    [Range(100, 200)]
    public int AuthorizationMarginPercent { get; set; } = 115;

    /// <summary>Stores whose margin differs from <see cref="AuthorizationMarginPercent"/> (store id to percentage, 100 to 200).</summary>
    public Dictionary<string, int> AuthorizationMarginPercentByStore { get; set; } = [];

    /// <summary>The margin to authorize for an order of <paramref name="storeId"/>.</summary>
    public int MarginPercentFor(string storeId) =>
        AuthorizationMarginPercentByStore.TryGetValue(storeId, out var percent) ? percent : AuthorizationMarginPercent;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        AuthorizationMarginPercentByStore.Where(p => p.Value is < 100 or > 200).Select(p => new ValidationResult(
            $"Sagas:Order:AuthorizationMarginPercentByStore:{p.Key} is {p.Value}; a margin is 100 to 200 percent.",
            [nameof(AuthorizationMarginPercentByStore)]));

    /// <summary>Start picking as soon as the order is confirmed instead of <see cref="PickingLeadTime"/> before the window.</summary>
    public bool StartPickingImmediately { get; set; }

    /// <summary>How long before the delivery window picking starts.</summary>
    [DurationRange("00:00:00", "1.00:00:00")]
    public TimeSpan PickingLeadTime { get; set; } = TimeSpan.FromHours(2);
}
