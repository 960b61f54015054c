using System.Security.Cryptography;
using Grocery.Workflows.Api.Security;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Grocery.Workflows.Host.Security;

/// <summary>What a token printed by the engine says about its bearer.</summary>
public sealed record TokenRequest(IReadOnlyList<string> Roles, string? Name = null, string? Customer = null, IReadOnlyList<string>? Stores = null,
    TimeSpan? Lifetime = null, string? Subject = null);

/// <summary>
/// The embedded default's token issuer: an ECDSA P-256 key created on first start in the data folder (readable by its
/// owner only), tokens signed with it, and the validation that accepts them. Used in Development only: an engine
/// anywhere else takes its tokens from an OpenID Connect provider.
/// </summary>
public sealed class LocalTokenIssuer : IDisposable
{
    public const string Issuer = "grocery-workflows-local";
    public const string Audience = "grocery-workflows";
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(30);

    private readonly ECDsa _key;

    private LocalTokenIssuer(ECDsa key)
    {
        _key = key;
        SigningKey = new ECDsaSecurityKey(key) { KeyId = Convert.ToHexString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16].ToLowerInvariant() };
    }

    public SecurityKey SigningKey { get; }

    /// <summary>Reads the key at the path, or creates it there; two processes starting together end up with one key.</summary>
    public static LocalTokenIssuer LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            using var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var temporary = $"{full}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var writer = new StreamWriter(temporary, System.Text.Encoding.ASCII, options))
            {
                writer.Write(created.ExportPkcs8PrivateKeyPem());
            }

            try
            {
                File.Move(temporary, full, overwrite: false);
            }
            catch (IOException) when (File.Exists(full))
            {
                // Another process created it first: its key is the one.
                File.Delete(temporary);
            }
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(full));
            return new LocalTokenIssuer(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>What a token from this issuer must be to be accepted.</summary>
    public TokenValidationParameters Validation(TimeSpan clockSkew) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = SigningKey,
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        ClockSkew = clockSkew,
        NameClaimType = GroceryClaims.Name,
        RoleClaimType = GroceryClaims.Role,
    };

    public string Create(TokenRequest request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lifetime = request.Lifetime ?? DefaultLifetime;
        if (lifetime <= TimeSpan.Zero || lifetime > MaxLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(request), lifetime, $"A token lives between a second and {MaxLifetime.TotalDays} days.");
        }

        var claims = new Dictionary<string, object>
        {
            [GroceryClaims.Subject] = request.Subject ?? $"local:{request.Name ?? string.Join('+', request.Roles)}",
            [GroceryClaims.Role] = request.Roles.ToArray(),
            [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
        };
        if (request.Name is not null)
        {
            claims[GroceryClaims.Name] = request.Name;
        }

        if (request.Customer is not null)
        {
            claims[GroceryClaims.Customer] = request.Customer;
        }

        if (request.Stores is { Count: > 0 } stores)
        {
            claims[GroceryClaims.Stores] = stores.ToArray();
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(lifetime).UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.EcdsaSha256),
        });
    }

    public void Dispose() => _key.Dispose();
}
