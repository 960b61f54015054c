using Grocery.Workflows.Api.Security;
using Grocery.Workflows.OpsConsole.Live;
using Grocery.Workflows.OpsConsole.Security;
using Grocery.Workflows.OpsConsole.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.OpsConsole;

/// <summary>
/// The ops console at <see cref="OpsConsolePath.Prefix"/>: Razor Pages rendered on the server, for the ops role only,
/// signed in with the console's cookie (<see cref="ConsoleAuthentication"/>, registered with the engine's authentication).
/// </summary>
public static class OpsConsoleRegistration
{
    public static IServiceCollection AddOpsConsole(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddHttpContextAccessor();
        services.AddScoped<ConsoleText>();
        services.AddScoped<ConsoleFormat>();
        services.AddOptions<StuckBounds>().Bind(configuration.GetSection(StuckBounds.Section)).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<StuckBounds>, StuckBoundsValidation>();
        services.AddRazorPages(options =>
        {
            // Every page needs the ops role through the console's cookie; the sign-in and language pages say otherwise.
            options.Conventions.AuthorizeFolder("/", ConsoleAuthentication.Policy);
        });
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "grocery-ops-antiforgery";
            options.Cookie.Path = OpsConsolePath.Prefix;
            options.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
        });
        return services;
    }

    public static WebApplication MapOpsConsole(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapRazorPages();
        app.MapConsoleAssets();
        app.MapOrderLiveEvents();
        return app;
    }
}
