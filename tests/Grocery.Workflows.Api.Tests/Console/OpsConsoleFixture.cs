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

    private IPlaywright? _playwright;

    public GroceryApiFactory Engine { get; } = new() { SeedAtStart = true };

    public IBrowser Browser { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Engine.Settings["Urls"] = "http://127.0.0.1:0";
        // Orders rest in Confirmed until picking time, as in production: a test moves their deadline when it wants them to go on.
        Engine.Settings["Simulation:StartPickingImmediately"] = "false";
        Engine.UseKestrel();
        Engine.StartServer();

        var address = Engine.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        File.Exists(ChromiumPath).ShouldBeTrue($"{ChromiumPath} is missing: install Debian's chromium (scripts/tools.sh does)");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox"],
        });
    }

    /// <summary>A token of the engine's own issuer.</summary>
    public string Token(params string[] roles) => Engine.Token(new TokenRequest(roles, Name: "Lan Nguyen"));

    /// <summary>A new browser context (its own cookies), signed in as an operator.</summary>
    public async Task<IPage> SignedIn()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseAddress.ToString(), Locale = "en-GB" });
        var page = await context.NewPageAsync();
        await SignIn(page, Token(GroceryRoles.Ops));
        page.Url.ShouldEndWith("/ops");
        return page;
    }

    public static async Task SignIn(IPage page, string token)
    {
        await page.GotoAsync("/ops/sign-in");
        await page.GetByLabel("Your ops token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForLoadStateAsync();
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
