namespace Grocery.Workflows.Host.Security;

/// <summary>
/// Where bearer tokens come from. With <see cref="Authority"/> set, from the grocer's OpenID Connect provider
/// (discovery and JWKS; a key it rotates in is fetched when a token names it). Without it, and only in Development,
/// from the engine's own signing key in <see cref="LocalKeyFile"/>, which <c>token</c> prints tokens with.
/// </summary>
public sealed class AuthSettings
{
    /// <summary>The OpenID Connect issuer, e.g. https://sso.grocer.example/realms/grocery.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience the provider's tokens carry for this engine; required with <see cref="Authority"/>.</summary>
    public string? Audience { get; set; }

    /// <summary>
    /// The ops console's client id at the provider: with it, operators sign in to the console on the provider's pages
    /// (authorization code flow with PKCE, redirect URI <c>https://&lt;engine&gt;/ops/signin-oidc</c>).
    /// </summary>
    public string? ConsoleClientId { get; set; }

    /// <summary>The console client's secret; empty for a public client.</summary>
    public string? ConsoleClientSecret { get; set; }

    /// <summary>Only a test's loopback issuer is reached over plain HTTP.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The embedded default's signing key (PEM), created on first start; relative to the working directory.</summary>
    public string LocalKeyFile { get; set; } = Path.Combine("data", "token-signing-key.pem");

    /// <summary>How often the provider's keys are fetched again, whether or not a token names an unknown one.</summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The least time between two fetches that a token naming an unknown key sets off: a rotated-in key is found
    /// that soon, and tokens with made-up key ids cannot make the engine hammer the provider.
    /// </summary>
    public TimeSpan UnknownKeyRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How far a token's times may be off the engine's clock.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How many validated tokens are remembered until they expire, so that a token sent with every request has its
    /// signature checked once (a few KB each); 0 checks every request's token afresh.
    /// </summary>
    public int ValidatedTokenCacheSize { get; set; } = 4096;
}
