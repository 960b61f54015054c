using System.ComponentModel.DataAnnotations;
using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Sagas.Slots;

/// <summary>Durations of the slot reservation saga (section <c>Sagas:SlotReservation</c>).</summary>
public sealed class SlotReservationSettings
{
    /// <summary>How long a slot is held for an order that is not confirmed yet.</summary>
    [DurationRange("00:00:00.001", "1.00:00:00")]
    public TimeSpan HoldDuration { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>How much longer a hold lasts after its single extension.</summary>
    [DurationRange("00:00:00.001", "1.00:00:00")]
    public TimeSpan ExtensionDuration { get; set; } = TimeSpan.FromMinutes(30);
}
