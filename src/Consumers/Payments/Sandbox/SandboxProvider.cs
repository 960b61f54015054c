using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Consumers.Payments.Sandbox;

/// <summary>The embedded sandbox: offered when <c>Payments:Sandbox=true</c>; it takes any token (its gateway declines the unknown ones).</summary>
public static class SandboxProvider
{
    public const string Name = "sandbox";

    /// <summary>Its switches share the section of the payment policy.</summary>
    public const string Section = "Payments";

    public static IServiceCollection AddSandboxPayments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(new PaymentProviderSwitch(Name, $"{Section}:{nameof(SandboxSettings.Sandbox)}"));
        if (Settings(configuration).Sandbox)
        {
            services.AddKeyedSingleton<IPaymentGateway, SandboxPaymentGateway>(Name);
        }

        return services;
    }

    /// <summary>
    /// Throws outside Development when the sandbox is on but not allowed there as well: orders paid with it would move
    /// no money.
    /// </summary>
    public static void RefuseUnlessAllowed(IConfiguration configuration, string environment)
    {
        var settings = Settings(configuration);
        if (settings.Sandbox && !settings.AllowSandboxInProduction)
        {
            throw new InvalidOperationException(
                $"Payments:Sandbox is true in the {environment} environment: orders paid with the sandbox move no money. " +
                "Turn it off, or set Payments:AllowSandboxInProduction=true as well to offer it here on purpose.");
        }
    }

    private static SandboxSettings Settings(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<SandboxSettings>() ?? new SandboxSettings();
}
