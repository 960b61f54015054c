using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grocery.Workflows.Tests.Shared;

/// <summary>
/// An OpenID Connect provider on loopback for tests, as a real one answers: a discovery document at
/// /.well-known/openid-configuration, its signing keys at /jwks (RFC 7517), and RS256 tokens (RFC 7519) signed with
/// the newest key. <see cref="Rotate"/> publishes a new key and signs with it from then on.
/// </summary>
public sealed class TestOidcIssuer : IAsyncDisposable
{
    public const string Audience = "grocery-workflows-tests";

    private readonly WebApplication _app;
    private readonly List<(string Id, RSA Key)> _keys = [];
    private readonly object _gate = new();

    private TestOidcIssuer(WebApplication app, string authority)
    {
        _app = app;
        Authority = authority;
    }

    /// <summary>The issuer URL, which is also what the engine's Auth:Authority is set to.</summary>
    public string Authority { get; }

    /// <summary>How many times the engine fetched the keys.</summary>
    public int JwksRequests { get; private set; }

    public static async Task<TestOidcIssuer> Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        TestOidcIssuer? issuer = null;
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new JsonObject
        {
            ["issuer"] = issuer!.Authority,
            ["jwks_uri"] = $"{issuer.Authority}/jwks",
            ["authorization_endpoint"] = $"{issuer.Authority}/authorize",
            ["token_endpoint"] = $"{issuer.Authority}/token",
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
            ["response_types_supported"] = new JsonArray("code"),
            ["subject_types_supported"] = new JsonArray("public"),
        }));
        app.MapGet("/jwks", () => Results.Json(issuer!.Jwks()));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        issuer = new TestOidcIssuer(app, address.TrimEnd('/'));
        issuer.Rotate();
        return issuer;
    }

    /// <summary>A new signing key, published and used from now on; the old ones stay published.</summary>
    public void Rotate()
    {
        lock (_gate)
        {
            _keys.Add(($"key-{_keys.Count + 1}", RSA.Create(2048)));
        }
    }

    /// <summary>A signed token with these claims over the standard ones (iss, aud, iat, nbf, exp).</summary>
    public string Token(IReadOnlyDictionary<string, object> claims, TimeSpan? lifetime = null, string? audience = null, bool badSignature = false)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var now = DateTimeOffset.UtcNow;
        var payload = new Dictionary<string, object>
        {
            ["iss"] = Authority,
            ["aud"] = audience ?? Audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.Add(lifetime ?? TimeSpan.FromHours(1)).ToUnixTimeSeconds(),
        };
        foreach (var (name, value) in claims)
        {
            payload[name] = value;
        }

        (string Id, RSA Key) key;
        lock (_gate)
        {
            key = _keys[^1];
        }

        var header = Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = key.Id }));
        var signed = $"{header}.{Encode(JsonSerializer.SerializeToUtf8Bytes(payload))}";
        var signature = key.Key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (badSignature)
        {
            signature[0] ^= 0xff;
        }

        return $"{signed}.{Encode(signature)}";
    }

    /// <summary>A token of the engine's roles for a subject.</summary>
    public string Token(string subject, params string[] roles) =>
        Token(new Dictionary<string, object> { ["sub"] = subject, ["name"] = subject, ["role"] = roles });

    private JsonObject Jwks()
    {
        JwksRequests++;
        var keys = new JsonArray();
        lock (_gate)
        {
            foreach (var (id, key) in _keys)
            {
                var parameters = key.ExportParameters(includePrivateParameters: false);
                keys.Add(new JsonObject
                {
                    ["kty"] = "RSA",
                    ["use"] = "sig",
                    ["alg"] = "RS256",
                    ["kid"] = id,
                    ["n"] = Encode(parameters.Modulus!),
                    ["e"] = Encode(parameters.Exponent!),
                });
            }
        }

        return new JsonObject { ["keys"] = keys };
    }

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        foreach (var (_, key) in _keys)
        {
            key.Dispose();
        }
    }
}
