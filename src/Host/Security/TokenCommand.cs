using System.Globalization;
using Grocery.Workflows.Api.Security;

namespace Grocery.Workflows.Host.Security;

/// <summary>
/// <c>token --role ROLE [--name N] [--customer ID] [--stores a,b] [--lifetime 01:00:00]</c>: prints one token signed
/// with the embedded default's key (the same data folder as the engine run from the same directory) and nothing else
/// on stdout. Development only, like the key.
/// </summary>
public static class TokenCommand
{
    public const string Name = "token";

    private const string Usage = "usage: token --role storefront|ops|scheduler [--role ...] [--name NAME] [--customer ID] [--stores a,b] [--lifetime 01:00:00]";

    public static bool Is(string[] args) => args is [Name, ..];

    public static int Run(string[] args, TextWriter output, TextWriter errors)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        var environment = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
            ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environments.Production;
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var settings = configuration.GetSection("Auth").Get<AuthSettings>() ?? new AuthSettings();
        if (!string.Equals(environment, Environments.Development, StringComparison.OrdinalIgnoreCase))
        {
            errors.WriteLine($"token: the engine accepts its own tokens in Development only (this is {environment}); tokens come from the OpenID Connect provider here.");
            return 2;
        }

        if (!string.IsNullOrWhiteSpace(settings.Authority))
        {
            errors.WriteLine($"token: this engine takes its tokens from {settings.Authority} (Auth:Authority); ask that provider for one.");
            return 2;
        }

        if (Parse(args.AsSpan(1), errors) is not { } request)
        {
            errors.WriteLine(Usage);
            return 2;
        }

        using var issuer = LocalTokenIssuer.LoadOrCreate(settings.LocalKeyFile);
        output.WriteLine(issuer.Create(request, DateTimeOffset.UtcNow));
        return 0;
    }

    private static TokenRequest? Parse(ReadOnlySpan<string> args, TextWriter errors)
    {
        var roles = new List<string>();
        string? name = null, customer = null;
        List<string>? stores = null;
        TimeSpan? lifetime = null;
        for (var i = 0; i < args.Length; i += 2)
        {
            var option = args[i];
            if (i + 1 >= args.Length)
            {
                errors.WriteLine($"token: {option} needs a value.");
                return null;
            }

            var value = args[i + 1];
            switch (option)
            {
                case "--role":
                    foreach (var role in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (!GroceryRoles.All.Contains(role))
                        {
                            errors.WriteLine($"token: unknown role '{role}'; the roles are {string.Join(", ", GroceryRoles.All)}.");
                            return null;
                        }

                        roles.Add(role);
                    }

                    break;
                case "--name":
                    name = value;
                    break;
                case "--customer":
                    customer = value;
                    break;
                case "--stores":
                    stores = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                    break;
                case "--lifetime":
                    if (!TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var parsed) || parsed <= TimeSpan.Zero || parsed > LocalTokenIssuer.MaxLifetime)
                    {
                        errors.WriteLine($"token: --lifetime is a duration such as 01:00:00, at most {LocalTokenIssuer.MaxLifetime.TotalDays} days.");
                        return null;
                    }

                    lifetime = parsed;
                    break;
                default:
                    errors.WriteLine($"token: unknown option {option}.");
                    return null;
            }
        }

        if (roles.Count == 0)
        {
            errors.WriteLine("token: --role is required.");
            return null;
        }

        return new TokenRequest(roles.Distinct().ToList(), name, customer, stores, lifetime);
    }
}
