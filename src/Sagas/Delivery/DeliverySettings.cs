using System.ComponentModel.DataAnnotations;
using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Sagas.Delivery;

/// <summary>Durations and limits of the delivery handoff saga (section <c>Sagas:Delivery</c>).</summary>
public sealed class DeliverySettings
{
    /// <summary>How long the courier provider has to assign a courier.</summary>
    [DurationRange("00:00:00.001", "1.00:00:00")]
    public TimeSpan CourierAssignmentTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an assigned courier has to pick the parcel up before it counts as a no-show.</summary>
    [DurationRange("00:00:00.001", "1.00:00:00")]
    public TimeSpan PickupTimeout { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>How long after pick-up the parcel must be delivered.</summary>
    [DurationRange("00:00:00.001", "1.00:00:00")]
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How many couriers are dispatched before delivery fails.</summary>
    [Range(1, 10)]
    public int MaxDispatchAttempts { get; set; } = 3;
}
