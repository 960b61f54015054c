using Grocery.Workflows.Api.Security;
using Grocery.Workflows.OpsConsole.Live;
using Grocery.Workflows.OpsConsole.Security;
using Grocery.Workflows.OpsConsole.Text;
using Grocery.Workflows.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
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
    public static IServiceCollection AddOpsConsole(this IServiceCollection services, IConfiguration configuration, bool secureCookies)
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
        // The cookies and forms are protected with one key ring for every instance, kept in the engine's database: a
        // cookie one API pod issued is read by the next, and survives a restart (by default each process would have
        // its own keys, in its home directory).
        services.AddDataProtection().SetApplicationName("grocery-workflows").PersistKeysToDbContext<WorkflowDbContext>();
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "grocery-ops-antiforgery";
            options.Cookie.Path = OpsConsolePath.Prefix;
            options.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
            options.Cookie.SecurePolicy = ConsoleAuthentication.CookiePolicy(secureCookies);
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
