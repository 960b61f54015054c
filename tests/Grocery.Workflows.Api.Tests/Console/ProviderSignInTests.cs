using System.Net;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Tests.Shared;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Grocery.Workflows.Api.Tests.Console;

/// <summary>
/// Sign-in to the console on the grocer's OpenID Connect provider's own pages (a loopback provider, reached as
/// "localhost" so that it is another site than the engine at 127.0.0.1, as a real one is), in Debian's Chromium.
/// </summary>
[Collection(OpsConsoleFixture.BrowserCollection)]
public sealed class ProviderSignInTests : IAsyncLifetime
{
    private const string ClientId = "grocery-ops-console";
    private const string ClientSecret = "console-client-secret";

    private TestOidcIssuer _provider = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private Uri _engine = null!;

    private GroceryApiFactory Engine { get; } = new();

    public async Task InitializeAsync()
    {
        _provider = await TestOidcIssuer.Start("localhost");
        _provider.RegisterClient(ClientId, ClientSecret);
        _provider.AddUser("ops-lan", GroceryRoles.Ops);
        _provider.AddUser("web-shop", GroceryRoles.Storefront);
        Engine.Settings["Urls"] = "http://127.0.0.1:0";
        Engine.Settings["Auth:Authority"] = _provider.Authority;
        Engine.Settings["Auth:Audience"] = TestOidcIssuer.Audience;
        Engine.Settings["Auth:RequireHttpsMetadata"] = "false";
        Engine.Settings["Auth:ConsoleClientId"] = ClientId;
        Engine.Settings["Auth:ConsoleClientSecret"] = ClientSecret;
        Engine.UseKestrel();
        Engine.StartServer();
        _engine = new Uri(Engine.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        (_playwright, _browser) = await OpsConsoleFixture.LaunchChromium();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await Engine.DisposeAsync();
        await _provider.DisposeAsync();
    }

    /// <summary>From a console page to the provider's sign-in page, there as <paramref name="user"/>, and back.</summary>
    private async Task<(IBrowserContext Context, IPage Page)> SignInAtTheProvider(string user, string startAt)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _engine.ToString(), Locale = "en-GB" });
        var page = await context.NewPageAsync();
        // Each step waits for its navigation to commit, then for what it looks for on the page: not for the load event,
        // which a navigation ending a redirect chain has been seen to miss (a 30 s timeout with the page shown).
        await page.GotoAsync(startAt, new() { WaitUntil = WaitUntilState.Commit });
        await page.WaitForURLAsync(url => url.Contains("/ops/sign-in", StringComparison.Ordinal), new() { WaitUntil = WaitUntilState.Commit });
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with the grocer's provider" }).ClickAsync();
        await page.WaitForURLAsync($"{_provider.Authority}/authorize**", new() { WaitUntil = WaitUntilState.Commit });
        await page.GetByLabel("Who are you").SelectOptionAsync(user);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith(_engine.ToString(), StringComparison.Ordinal) && !url.Contains("/signin-oidc", StringComparison.Ordinal)
            && !url.Contains("/sign-in/continue", StringComparison.Ordinal), new() { WaitUntil = WaitUntilState.Commit });
        return (context, page);
    }

    [Fact]
    public async Task An_operator_signs_in_on_the_providers_page_and_lands_on_the_page_asked_for()
    {
        var (context, page) = await SignInAtTheProvider("ops-lan", "/ops/stuck");

        page.Url.ShouldBe(new Uri(_engine, "/ops/stuck").ToString());
        (await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync()).ShouldBe("Stuck");
        _provider.TokenRequests.ShouldBe(1);
        var cookie = (await context.CookiesAsync()).Where(c => c.Name == "grocery-ops").ShouldHaveSingleItem();
        cookie.SameSite.ShouldBe(SameSiteAttribute.Strict);
        cookie.Path.ShouldBe("/ops");
        // The cookie carries who signed in, not the provider's tokens (a JWT starts "eyJ" once encoded; the cookie is
        // the data-protected ticket, whose length stays far below the two tokens').
        cookie.Value.Length.ShouldBeLessThan(2000);
        (await page.GotoAsync("/ops/orders", new() { WaitUntil = WaitUntilState.Commit }))!.Status.ShouldBe(200);
        page.Url.ShouldEndWith("/ops/orders");
        // The cookie's key lives in the engine's database, where every instance reads it (not in this process's home).
        (await Engine.Query(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.DataProtectionKeys))).ShouldBeGreaterThan(0);
        await context.CloseAsync();
    }

    [Fact]
    public async Task A_storefront_account_is_refused_after_the_providers_page_and_gets_no_cookie()
    {
        var (context, page) = await SignInAtTheProvider("web-shop", "/ops");

        page.Url.ShouldContain("/ops/sign-in?refused=role");
        (await page.GetByRole(AriaRole.Alert).InnerTextAsync()).ShouldContain("does not carry the ops role");
        (await context.CookiesAsync()).ShouldNotContain(c => c.Name == "grocery-ops");
        await context.CloseAsync();
    }

    [Fact]
    public async Task A_callback_the_engine_did_not_ask_for_is_refused_without_an_error_page()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _engine };

        using var forged = await client.GetAsync(new Uri($"/ops/signin-oidc?code=made-up&state=made-up&iss={Uri.EscapeDataString(_provider.Authority)}", UriKind.Relative));

        forged.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        forged.Headers.Location!.ToString().ShouldBe("/ops/sign-in?refused=provider");
        forged.Headers.TryGetValues("Set-Cookie", out var cookies).ShouldBeFalse(string.Join("; ", cookies ?? []));
        _provider.TokenRequests.ShouldBe(0);
    }
}
