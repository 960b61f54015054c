using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Grocery.Workflows.Host.Security;

/// <summary>
/// Validates bearer tokens with the handler it wraps and remembers those that passed until they expire: a caller that
/// sends the same token with every request (the storefront backend, a scheduler, an operator's console) pays for the
/// signature check (ES256 on the embedded default) once per token instead of once per request. Nothing is weaker for it:
/// <list type="bullet">
/// <item>a remembered token is answered only before its expiry, on the clock the validation itself uses (the system's);
/// from then on it is validated afresh, and refused as it would be without the cache;</item>
/// <item>only with the signing keys it was checked against: when the provider's keys are fetched again (a key rotated
/// in or out) or the keys of the parameters are others, it is validated afresh;</item>
/// <item>a failure is never remembered, nor is anything when the parameters keep a replay cache;</item>
/// <item>a token is found by the SHA-256 of its text, and the text is neither kept as a key nor logged;</item>
/// <item>at most <c>capacity</c> tokens are remembered; expired ones are dropped every <see cref="SweepInterval"/>, and a
/// token that finds the cache full is validated on every request, as without the cache.</item>
/// </list>
/// Each request gets its own copy of the claims, so nothing one request does to its identity reaches another.
/// </summary>
public sealed class ValidatedTokenCache : TokenHandler
{
    /// <summary>How often expired tokens are dropped (at most; when a token is validated, not on a timer).</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    private readonly TokenHandler _inner;
    private readonly int _capacity;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, Validated> _validated = new(StringComparer.Ordinal);
    private int _count;
    private long _nextSweepTicks;

    /// <param name="inner">The handler that validates.</param>
    /// <param name="capacity">How many tokens are remembered at most.</param>
    /// <param name="clock">The clock the inner handler's lifetime check reads (the system's, unless a test's parameters say otherwise).</param>
    public ValidatedTokenCache(TokenHandler inner, int capacity, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentNullException.ThrowIfNull(clock);
        _inner = inner;
        _capacity = capacity;
        _clock = clock;
    }

    /// <summary>How many validated tokens are remembered now.</summary>
    public int Count => Volatile.Read(ref _count);

    public override int MaximumTokenSizeInBytes
    {
        get => _inner.MaximumTokenSizeInBytes;
        set => _inner.MaximumTokenSizeInBytes = value;
    }

    public override SecurityToken ReadToken(string token) => _inner.ReadToken(token);

    public override Task<TokenValidationResult> ValidateTokenAsync(SecurityToken token, TokenValidationParameters validationParameters) =>
        _inner.ValidateTokenAsync(token, validationParameters);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        if (string.IsNullOrEmpty(token) || token.Length > _inner.MaximumTokenSizeInBytes || validationParameters.TokenReplayCache is not null)
        {
            return await _inner.ValidateTokenAsync(token, validationParameters);
        }

        var keys = await SigningKeys.Of(validationParameters);
        var now = _clock.GetUtcNow().UtcDateTime;
        var id = Hash(token);
        if (_validated.TryGetValue(id, out var known))
        {
            if (now < known.Expires && known.Keys.Same(keys))
            {
                return known.Result();
            }

            Forget(id, known);
        }

        var result = await _inner.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is { } validated && result.ClaimsIdentity is { } identity && keys is not null)
        {
            Remember(id, new Validated(identity.Clone(), validated, result.Issuer, result.TokenType, validated.ValidTo, keys), now);
        }

        return result;
    }

    private void Remember(string id, Validated entry, DateTime now)
    {
        if (entry.Expires <= now)
        {
            return;
        }

        var due = Volatile.Read(ref _nextSweepTicks);
        if (now.Ticks >= due && Interlocked.CompareExchange(ref _nextSweepTicks, (now + SweepInterval).Ticks, due) == due)
        {
            foreach (var (key, known) in _validated)
            {
                if (known.Expires <= now)
                {
                    Forget(key, known);
                }
            }
        }

        if (Interlocked.Increment(ref _count) > _capacity || !_validated.TryAdd(id, entry))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    private void Forget(string id, Validated known)
    {
        if (_validated.TryRemove(KeyValuePair.Create(id, known)))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    private static string Hash(string token)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), digest);
        return Convert.ToBase64String(digest);
    }

    /// <summary>What a token was checked against: the provider's configuration of the moment, or the parameters' own keys.</summary>
    private sealed record SigningKeys(BaseConfiguration? Configuration, SecurityKey? Key, IEnumerable<SecurityKey>? Keys)
    {
        /// <summary>The keys a validation with these parameters uses now; none when the provider cannot say (nothing is remembered then).</summary>
        public static async Task<SigningKeys?> Of(TokenValidationParameters parameters)
        {
            if (parameters.ConfigurationManager is not { } provider)
            {
                return new SigningKeys(null, parameters.IssuerSigningKey, parameters.IssuerSigningKeys);
            }

            try
            {
                return new SigningKeys(await provider.GetBaseConfigurationAsync(CancellationToken.None), parameters.IssuerSigningKey, parameters.IssuerSigningKeys);
            }
            catch (InvalidOperationException)
            {
                // The provider is out of reach: the validation that follows says what that means for this token.
                return null;
            }
        }

        /// <summary>The very same objects: a configuration fetched again, even with the same keys, is another.</summary>
        public bool Same(SigningKeys? other) =>
            other is not null && ReferenceEquals(Configuration, other.Configuration) && ReferenceEquals(Key, other.Key) && ReferenceEquals(Keys, other.Keys);
    }

    private sealed record Validated(ClaimsIdentity Identity, SecurityToken Token, string? Issuer, string? TokenType, DateTime Expires, SigningKeys Keys)
    {
        public TokenValidationResult Result() => new()
        {
            IsValid = true,
            ClaimsIdentity = Identity.Clone(),
            SecurityToken = Token,
            Issuer = Issuer,
            TokenType = TokenType,
        };
    }
}
