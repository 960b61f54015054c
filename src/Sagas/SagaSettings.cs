using System.ComponentModel.DataAnnotations;

namespace Grocery.Workflows.Sagas;

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
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan PickingLeadTime { get; set; } = TimeSpan.FromHours(2);
}

/// <summary>Durations of the slot reservation saga (section <c>Sagas:SlotReservation</c>).</summary>
public sealed class SlotReservationSettings
{
    /// <summary>How long a slot is held for an order that is not confirmed yet.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan HoldDuration { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>How much longer a hold lasts after its single extension.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan ExtensionDuration { get; set; } = TimeSpan.FromMinutes(30);
}

/// <summary>Durations of the picking saga (section <c>Sagas:Picking</c>).</summary>
public sealed class PickingSettings
{
    /// <summary>A picker who does not start or report a line for this long is replaced.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan PickerTimeout { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>Durations of the substitution approval saga (section <c>Sagas:Substitution</c>).</summary>
public sealed class SubstitutionSettings
{
    /// <summary>After this long without an answer, the customer's stated preference decides.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan DecisionTimeout { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>Durations and limits of the delivery handoff saga (section <c>Sagas:Delivery</c>).</summary>
public sealed class DeliverySettings
{
    /// <summary>How long the courier provider has to assign a courier.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan CourierAssignmentTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an assigned courier has to pick the parcel up before it counts as a no-show.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan PickupTimeout { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>How long after pick-up the parcel must be delivered.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How many couriers are dispatched before delivery fails.</summary>
    [Range(1, 10)]
    public int MaxDispatchAttempts { get; set; } = 3;
}
