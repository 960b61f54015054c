using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
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
/// the newest key. <see cref="Rotate"/> publishes a new key and signs with it from then on. For a client it registers
/// (<see cref="RegisterClient"/>) it runs the authorization code flow (OpenID Connect Core 1.0, section 3.1, with PKCE,
/// RFC 7636): a sign-in page at /authorize where a person picks one of its <see cref="AddUser"/> people, then /token,
/// which trades the code once for an ID token (audience: the client) and an access token (audience: <see cref="Audience"/>).
/// </summary>
public sealed class TestOidcIssuer : IAsyncDisposable
{
    public const string Audience = "grocery-workflows-tests";

    private readonly WebApplication _app;
    private readonly List<(string Id, RSA Key)> _keys = [];
    private readonly object _gate = new();
    private readonly Dictionary<string, string?> _clients = [];
    private readonly Dictionary<string, IReadOnlyDictionary<string, object>> _users = [];
    private readonly Dictionary<string, Grant> _codes = [];

    private sealed record Grant(string ClientId, string RedirectUri, string User, string? Nonce, string? Challenge);

    private TestOidcIssuer(WebApplication app, string authority)
    {
        _app = app;
        Authority = authority;
    }

    /// <summary>The issuer URL, which is also what the engine's Auth:Authority is set to.</summary>
    public string Authority { get; }

    /// <summary>How many times the engine fetched the keys.</summary>
    public int JwksRequests { get; private set; }

    /// <summary>How many codes /token traded for tokens.</summary>
    public int TokenRequests { get; private set; }

    /// <summary>
    /// Starts the provider on a loopback port. <paramref name="host"/> is the name its issuer URL uses: "localhost"
    /// makes it another site than an engine at 127.0.0.1, as a real provider is for the browser.
    /// </summary>
    public static async Task<TestOidcIssuer> Start(string host = "127.0.0.1")
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
        app.MapGet("/authorize", (HttpRequest request) => issuer!.SignInPage(request.Query));
        app.MapPost("/authorize", async (HttpRequest request) => issuer!.Authorize(await request.ReadFormAsync()));
        app.MapPost("/token", async (HttpRequest request) => issuer!.Exchange(await request.ReadFormAsync()));
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        issuer = new TestOidcIssuer(app, $"http://{host}:{address.Port}");
        issuer.Rotate();
        return issuer;
    }

    /// <summary>A client that may sign people in here; <paramref name="secret"/> null for a public client.</summary>
    public void RegisterClient(string clientId, string? secret)
    {
        lock (_gate)
        {
            _clients[clientId] = secret;
        }
    }

    /// <summary>A person who can sign in on the provider's page, with the claims their access token carries.</summary>
    public void AddUser(string subject, params string[] roles)
    {
        lock (_gate)
        {
            _users[subject] = new Dictionary<string, object> { ["sub"] = subject, ["name"] = subject, ["role"] = roles };
        }
    }

    /// <summary>The provider's sign-in page: the request checked, then a choice of person (a real provider asks for a password).</summary>
    private IResult SignInPage(IQueryCollection query)
    {
        var error = CheckAuthorizeRequest(query["client_id"], query["redirect_uri"], query["response_type"], query["code_challenge_method"]);
        if (error is not null)
        {
            return Results.BadRequest(error);
        }

        string[] users;
        lock (_gate)
        {
            users = [.. _users.Keys];
        }

        var kept = new StringBuilder();
        foreach (var name in new[] { "client_id", "redirect_uri", "state", "nonce", "code_challenge" })
        {
            kept.Append(CultureInfo.InvariantCulture, $"<input type=\"hidden\" name=\"{name}\" value=\"{HtmlEncoder.Default.Encode(query[name].ToString())}\">");
        }

        var options = string.Concat(users.Select(u => $"<option>{HtmlEncoder.Default.Encode(u)}</option>"));
        return Results.Content(
            $"<!DOCTYPE html><html lang=\"en\"><head><title>Test provider</title></head><body><main><h1>Test provider</h1><form method=\"post\">{kept}" +
            $"<label for=\"user\">Who are you</label><select id=\"user\" name=\"user\">{options}</select><button type=\"submit\">Continue</button></form></main></body></html>",
            "text/html; charset=utf-8");
    }

    /// <summary>The person chosen: a one-time code back to the client's redirect URI, with its state.</summary>
    private IResult Authorize(IFormCollection form)
    {
        var error = CheckAuthorizeRequest(form["client_id"], form["redirect_uri"], "code", "S256");
        var user = form["user"].ToString();
        lock (_gate)
        {
            if (error is null && !_users.ContainsKey(user))
            {
                error = "unknown user";
            }

            if (error is not null)
            {
                return Results.BadRequest(error);
            }

            var code = Encode(RandomNumberGenerator.GetBytes(24));
            _codes[code] = new Grant(form["client_id"]!, form["redirect_uri"]!, user, NullIfEmpty(form["nonce"]), NullIfEmpty(form["code_challenge"]));
            var state = Uri.EscapeDataString(form["state"].ToString());
            return Results.Redirect($"{form["redirect_uri"]}?code={code}&state={state}&iss={Uri.EscapeDataString(Authority)}");
        }
    }

    private string? CheckAuthorizeRequest(string? clientId, string? redirectUri, string? responseType, string? challengeMethod)
    {
        lock (_gate)
        {
            if (clientId is null || !_clients.ContainsKey(clientId))
            {
                return "unknown client_id";
            }
        }

        if (responseType != "code")
        {
            return "response_type must be code";
        }

        if (challengeMethod != "S256")
        {
            return "PKCE with S256 is required";
        }

        return Uri.TryCreate(redirectUri, UriKind.Absolute, out var uri) && uri.IsLoopback ? null : "redirect_uri must be a loopback URL";
    }

    /// <summary>The token endpoint: a code traded once, by its client, with the verifier of its challenge (RFC 6749 section 4.1.3; RFC 7636 section 4.6).</summary>
    private IResult Exchange(IFormCollection form)
    {
        Grant? grant;
        IReadOnlyDictionary<string, object>? user = null;
        lock (_gate)
        {
            TokenRequests++;
            var code = form["code"].ToString();
            if (_codes.Remove(code, out grant))
            {
                user = _users[grant.User];
            }
        }

        var verifier = form["code_verifier"].ToString();
        if (form["grant_type"] != "authorization_code" || grant is null || user is null)
        {
            return Results.Json(new JsonObject { ["error"] = "invalid_grant" }, statusCode: StatusCodes.Status400BadRequest);
        }

        string? secret;
        lock (_gate)
        {
            _clients.TryGetValue(grant.ClientId, out secret);
        }

        if (form["client_id"] != grant.ClientId || (secret is not null && form["client_secret"] != secret))
        {
            return Results.Json(new JsonObject { ["error"] = "invalid_client" }, statusCode: StatusCodes.Status401Unauthorized);
        }

        if (form["redirect_uri"] != grant.RedirectUri || grant.Challenge is null
            || Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != grant.Challenge)
        {
            return Results.Json(new JsonObject { ["error"] = "invalid_grant" }, statusCode: StatusCodes.Status400BadRequest);
        }

        var access = Token(user);
        var identity = new Dictionary<string, object>
        {
            ["sub"] = user["sub"],
            ["name"] = user["name"],
            // OpenID Connect Core 3.1.3.6: the left half of the access token's SHA-256.
            ["at_hash"] = Encode(SHA256.HashData(Encoding.ASCII.GetBytes(access))[..16]),
        };
        if (grant.Nonce is not null)
        {
            identity["nonce"] = grant.Nonce;
        }

        return Results.Json(new JsonObject
        {
            ["access_token"] = access,
            ["id_token"] = Token(identity, audience: grant.ClientId),
            ["token_type"] = "Bearer",
            ["expires_in"] = 3600,
        });
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

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
