using System.ComponentModel.DataAnnotations;
using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Host.Simulation;

/// <summary>
/// The simulator plays the world the engine does not run: pickers, customers answering substitutions, couriers
/// (section <c>Simulation</c>). On in the run command's configuration, off in production.
/// </summary>
public sealed class SimulationSettings
{
    /// <summary>On in Development (the README's run command); off anywhere else unless <see cref="AllowInProduction"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>Lets the simulator run outside Development on purpose (a load test, a demo environment).</summary>
    public bool AllowInProduction { get; set; }

    /// <summary>Chance that a line is short when picked.</summary>
    [Range(0.0, 1.0)]
    public double ShortageRate { get; set; } = 0.3;

    /// <summary>Chance that the customer approves a proposed replacement.</summary>
    [Range(0.0, 1.0)]
    public double ApprovalRate { get; set; } = 0.85;

    /// <summary>Chance that a dispatched courier does not turn up.</summary>
    [Range(0.0, 1.0)]
    public double CourierNoShowRate { get; set; } = 0.05;

    /// <summary>Pause between two simulated steps (a picker's line, a courier's move).</summary>
    [DurationRange("00:00:00", "00:10:00")]
    public TimeSpan StepDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Customers (ids) who never answer a substitution question: their decision time runs out and their default applies.</summary>
    public string[] SilentCustomers { get; set; } = [];

    /// <summary>
    /// Whether the simulator answers substitution questions for the customers at all; false where someone else plays
    /// them (the load test's storefront answers through the API).
    /// </summary>
    public bool AnswerSubstitutions { get; set; } = true;

    /// <summary>Start picking at confirmation instead of before the delivery window.</summary>
    public bool StartPickingImmediately { get; set; } = true;
}
