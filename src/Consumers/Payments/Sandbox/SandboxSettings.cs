namespace Grocery.Workflows.Consumers.Payments.Sandbox;

/// <summary>The sandbox's switches (section <c>Payments</c>, beside <see cref="PaymentSettings"/>).</summary>
public sealed class SandboxSettings
{
    /// <summary>Offer the sandbox provider, which moves no money: on in Development (the README's run command), off by default.</summary>
    public bool Sandbox { get; set; }

    /// <summary>Lets the sandbox be offered outside Development on purpose (a load test, a demo environment).</summary>
    public bool AllowSandboxInProduction { get; set; }
}
