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

    /// <summary>
    /// How many couriers of the provider are booked (the first and one per no-show or cancellation) before the store's
    /// own fleet is asked; after the fleet, delivery fails and the order refunds.
    /// </summary>
    [Range(1, 10)]
    public int MaxDispatchAttempts { get; set; } = 3;

    /// <summary>How long before the window starts the courier is booked (the window's dispatch time).</summary>
    [DurationRange("00:00:00", "12:00:00")]
    public TimeSpan DispatchLeadTime { get; set; } = TimeSpan.FromMinutes(45);

    /// <summary>Book a courier as soon as the order is picked and paid, whatever the window (the simulator's demo).</summary>
    public bool DispatchImmediately { get; set; }
}
