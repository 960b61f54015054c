using System.Net;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Host.Security;
using Grocery.Workflows.Tests.Shared;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Grocery.Workflows.Api.Tests.Security;

/// <summary>
/// The production path: tokens from the grocer's OpenID Connect provider (a loopback one here), found by discovery,
/// checked against its published keys, a key it rotates in fetched when a token names it; the engine's own key is
/// not accepted outside Development, and without a provider the engine does not start there.
/// </summary>
public sealed class OidcAuthorityTests : IAsyncLifetime
{
    private static readonly string[] OpsOnly = [GroceryRoles.Ops];
    private TestOidcIssuer _issuer = null!;
    private WebApplicationFactory<Program> _production = null!;

    private GroceryApiFactory Factory { get; } = new();

    public async Task InitializeAsync()
    {
        _issuer = await TestOidcIssuer.Start();
        _production = Factory.WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("Simulation:Enabled", "false");
            b.UseSetting("Payments:Sandbox", "false");
            b.UseSetting("Auth:Authority", _issuer.Authority);
            b.UseSetting("Auth:Audience", TestOidcIssuer.Audience);
            b.UseSetting("Auth:RequireHttpsMetadata", "false");
            b.UseSetting("Auth:UnknownKeyRefreshInterval", "00:00:01");
        });
    }

    public async Task DisposeAsync()
    {
        await _production.DisposeAsync();
        await Factory.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    private HttpClient Client(string? token)
    {
        var client = _production.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }

        return client;
    }

    private async Task<HttpStatusCode> Sagas(string? token)
    {
        using var client = Client(token);
        return (await client.GetAsync(new Uri("/api/sagas", UriKind.Relative))).StatusCode;
    }

    [Fact]
    public async Task A_token_of_the_provider_is_accepted_and_a_key_it_rotates_in_is_fetched()
    {
        (await Sagas(_issuer.Token("ops-lan", GroceryRoles.Ops))).ShouldBe(HttpStatusCode.OK);
        (await Sagas(_issuer.Token("storefront-web", GroceryRoles.Storefront))).ShouldBe(HttpStatusCode.Forbidden);
        var fetched = _issuer.JwksRequests;

        _issuer.Rotate();

        // The first token naming the new key makes the engine fetch the keys again (in the background, as the
        // identity library does); from then on tokens signed with it pass. Bounded, not timed: it polls until then.
        var rotated = _issuer.Token("ops-lan", GroceryRoles.Ops);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode status;
        while ((status = await Sagas(rotated)) != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        status.ShouldBe(HttpStatusCode.OK);
        _issuer.JwksRequests.ShouldBeGreaterThan(fetched);
    }

    [Fact]
    public async Task Tokens_for_another_audience_with_a_bad_signature_expired_or_from_the_engines_own_key_are_401()
    {
        var claims = new Dictionary<string, object> { ["sub"] = "ops-lan", ["role"] = new[] { GroceryRoles.Ops } };
        using var localKey = LocalTokenIssuer.LoadOrCreate(Path.Combine(Path.GetTempPath(), "grocery-tests", $"oidc-{Guid.NewGuid():N}.key.pem"));

        (await Sagas(null)).ShouldBe(HttpStatusCode.Unauthorized);
        (await Sagas(_issuer.Token(claims, audience: "another-api"))).ShouldBe(HttpStatusCode.Unauthorized);
        (await Sagas(_issuer.Token(claims, badSignature: true))).ShouldBe(HttpStatusCode.Unauthorized);
        (await Sagas(_issuer.Token(claims, lifetime: TimeSpan.FromMinutes(-10)))).ShouldBe(HttpStatusCode.Unauthorized);
        (await Sagas(localKey.Create(new TokenRequest([GroceryRoles.Ops]), DateTimeOffset.UtcNow))).ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Roles_come_from_a_role_claim_entra_app_roles_or_scopes()
    {
        (await Sagas(_issuer.Token(new Dictionary<string, object> { ["sub"] = "a", ["roles"] = OpsOnly }))).ShouldBe(HttpStatusCode.OK);
        (await Sagas(_issuer.Token(new Dictionary<string, object> { ["sub"] = "b", ["scope"] = "openid ops" }))).ShouldBe(HttpStatusCode.OK);
        (await Sagas(_issuer.Token(new Dictionary<string, object> { ["sub"] = "c", ["scp"] = "ops" }))).ShouldBe(HttpStatusCode.OK);
        // Names close to a role are not the role.
        (await Sagas(_issuer.Token(new Dictionary<string, object> { ["sub"] = "d", ["role"] = "Ops" }))).ShouldBe(HttpStatusCode.Forbidden);
        (await Sagas(_issuer.Token(new Dictionary<string, object> { ["sub"] = "e", ["scope"] = "ops.read" }))).ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public void Outside_development_the_engine_does_not_start_without_a_provider()
    {
        using var unconfigured = Factory.WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("Simulation:Enabled", "false");
            b.UseSetting("Payments:Sandbox", "false");
        });

        var failure = Should.Throw<InvalidOperationException>(() => unconfigured.CreateClient());

        failure.Message.ShouldContain("Auth:Authority");
    }

    [Fact]
    public async Task The_api_description_is_for_operators_outside_development()
    {
        using (var anonymous = Client(null))
        {
            (await anonymous.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using (var storefront = Client(_issuer.Token("web", GroceryRoles.Storefront)))
        {
            (await storefront.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        using var ops = Client(_issuer.Token("ops-lan", GroceryRoles.Ops));
        (await ops.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
