using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Host.Security;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Grocery.Workflows.Api.Tests.Console;

/// <summary>
/// The engine on a real loopback port (Kestrel, not the test server: a browser has to reach it) and Debian's headless
/// Chromium driven by Playwright, launched from its installed path: no browser is downloaded. The test command installs
/// chromium when it is missing; without it these tests fail, they never skip.
/// </summary>
public sealed class OpsConsoleFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>The browser tests' collection: one Chromium at a time on the test machine's two cores, beside the other classes.</summary>
    public const string BrowserCollection = "browser";
    public const string SilentCustomer = "cust-silent";

    private IPlaywright? _playwright;

    public GroceryApiFactory Engine { get; } = new() { SeedAtStart = true };

    public IBrowser Browser { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Engine.Settings["Urls"] = "http://127.0.0.1:0";
        // Orders rest in Confirmed until picking time, as in production: a test moves their deadline when it wants them to go on.
        Engine.Settings["Simulation:StartPickingImmediately"] = "false";
        // This customer never answers substitution questions: an operator applies their default.
        Engine.Settings["Simulation:SilentCustomers:0"] = SilentCustomer;
        Engine.UseKestrel();
        Engine.StartServer();

        var address = Engine.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        (_playwright, Browser) = await LaunchChromium();
    }

    /// <summary>Debian's Chromium, headless, from its installed path.</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchChromium()
    {
        File.Exists(ChromiumPath).ShouldBeTrue($"{ChromiumPath} is missing: install Debian's chromium (scripts/tools.sh does)");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox"],
        });
        return (playwright, browser);
    }

    /// <summary>A token of the engine's own issuer.</summary>
    public string Token(params string[] roles) => Engine.Token(new TokenRequest(roles, Name: "Lan Nguyen"));

    /// <summary>A new browser context (its own cookies), signed in as an operator.</summary>
    public async Task<IPage> SignedIn()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseAddress.ToString(), Locale = "en-GB" });
        var page = await context.NewPageAsync();
        await SignIn(page, Token(GroceryRoles.Ops));
        await page.WaitForURLAsync(url => url.EndsWith("/ops", StringComparison.Ordinal), new() { WaitUntil = WaitUntilState.Commit });
        return page;
    }

    public static async Task SignIn(IPage page, string token)
    {
        await page.GotoAsync("/ops/sign-in");
        await page.GetByLabel("Your ops token").FillAsync(token);
        // The sign-in's answer (a redirect into the console, or the page again with its refusal); what the test looks
        // for next waits for the page it expects (not for the load event, which a redirected form post has been seen to miss).
        await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync(),
            response => response.Request.Method == "POST" && response.Url.Contains("/ops/sign-in", StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await Engine.DisposeAsync();
    }
}
