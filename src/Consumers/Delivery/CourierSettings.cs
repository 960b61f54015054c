using System.ComponentModel.DataAnnotations;

namespace Grocery.Workflows.Consumers.Delivery;

/// <summary>Who delivers (section <c>Couriers</c>).</summary>
public sealed class CourierSettings
{
    public const string Section = "Couriers";

    /// <summary>The simulator's couriers (the embedded default): no provider is called.</summary>
    public const string Simulator = "simulator";

    /// <summary>
    /// The provider booked first: <c>grab</c>, or <c>simulator</c>. Unset, it is the simulator while the simulator runs
    /// and Grab otherwise.
    /// </summary>
    [RegularExpression("^(grab|simulator)$", ErrorMessage = "Couriers:Provider is \"grab\" or \"simulator\".")]
    public string? Provider { get; set; }

    /// <summary>The store's own fleet, booked once after the provider's last attempt: <c>store-fleet</c>, or empty for none (delivery then fails and the order refunds).</summary>
    [RegularExpression("^(store-fleet)?$", ErrorMessage = "Couriers:Fallback is \"store-fleet\" or empty.")]
    public string? Fallback { get; set; }

    public bool Simulated => Provider == Simulator;
}
