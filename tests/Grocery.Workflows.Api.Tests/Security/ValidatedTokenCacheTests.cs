using System.Security.Claims;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Host.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Grocery.Workflows.Api.Tests.Security;

/// <summary>
/// The cache of validated bearer tokens: a token sent again is answered without a second signature check, with claims
/// of its own; anything else (another token, a forged one, one past its expiry, keys fetched again or rotated out) is
/// validated afresh, and a bounded number of tokens is remembered.
/// </summary>
public sealed class ValidatedTokenCacheTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2030, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private readonly LocalTokenIssuer _issuer =
        LocalTokenIssuer.LoadOrCreate(Path.Combine(Path.GetTempPath(), "grocery-tests", $"token-cache-{Guid.NewGuid():N}.key.pem"));
    private readonly ManualClock _clock = new(Now);
    private readonly CountingHandler _inner = new() { MapInboundClaims = false };

    public void Dispose() => _issuer.Dispose();

    /// <summary>The embedded default's parameters, with the lifetime checked on the test's clock instead of the machine's.</summary>
    private TokenValidationParameters Parameters()
    {
        var parameters = _issuer.Validation(TimeSpan.Zero);
        parameters.LifetimeValidator = (notBefore, expires, _, _) => notBefore <= _clock.GetUtcNow().UtcDateTime && _clock.GetUtcNow().UtcDateTime < expires;
        return parameters;
    }

    private ValidatedTokenCache Cache(int capacity = 100) => new(_inner, capacity, _clock);

    private string Token(TimeSpan? lifetime = null) =>
        _issuer.Create(new TokenRequest([GroceryRoles.Ops], Name: "Lan", Stores: ["hcm-01"], Lifetime: lifetime ?? TimeSpan.FromMinutes(10)), Now);

    private static List<(string Type, string Value)> Claims(TokenValidationResult result) =>
        [.. result.ClaimsIdentity.Claims.Select(c => (c.Type, c.Value))];

    [Fact]
    public async Task A_token_sent_again_is_answered_without_a_second_check_and_with_claims_of_its_own()
    {
        var cache = Cache();
        var token = Token();

        var first = await cache.ValidateTokenAsync(token, Parameters());
        var second = await cache.ValidateTokenAsync(token, Parameters());
        var third = await cache.ValidateTokenAsync(token, Parameters());

        first.IsValid.ShouldBeTrue(first.Exception?.Message);
        second.IsValid.ShouldBeTrue();
        third.IsValid.ShouldBeTrue();
        _inner.Validations.ShouldBe(1);
        cache.Count.ShouldBe(1);
        Claims(second).ShouldBe(Claims(first));
        second.ClaimsIdentity.GetType().ShouldBe(first.ClaimsIdentity.GetType());
        second.ClaimsIdentity.IsAuthenticated.ShouldBeTrue();
        second.ClaimsIdentity.RoleClaimType.ShouldBe(GroceryClaims.Role);
        second.SecurityToken.ValidTo.ShouldBe(first.SecurityToken.ValidTo);

        // One request's identity is not another's: what one adds, the next does not see.
        second.ClaimsIdentity.ShouldNotBeSameAs(third.ClaimsIdentity);
        second.ClaimsIdentity.AddClaim(new Claim(GroceryClaims.Role, GroceryRoles.Scheduler));
        third.ClaimsIdentity.HasClaim(GroceryClaims.Role, GroceryRoles.Scheduler).ShouldBeFalse();
        (await cache.ValidateTokenAsync(token, Parameters())).ClaimsIdentity.HasClaim(GroceryClaims.Role, GroceryRoles.Scheduler).ShouldBeFalse();
    }

    [Fact]
    public async Task A_different_token_is_validated_afresh_and_a_forged_one_is_refused_every_time()
    {
        var cache = Cache();
        var token = Token();
        var another = Token();
        var forged = token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA");

        (await cache.ValidateTokenAsync(token, Parameters())).IsValid.ShouldBeTrue();
        (await cache.ValidateTokenAsync(another, Parameters())).IsValid.ShouldBeTrue();
        _inner.Validations.ShouldBe(2);

        (await cache.ValidateTokenAsync(forged, Parameters())).IsValid.ShouldBeFalse();
        (await cache.ValidateTokenAsync(forged, Parameters())).IsValid.ShouldBeFalse();
        _inner.Validations.ShouldBe(4);
        cache.Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_cached_token_past_its_expiry_is_refused()
    {
        var cache = Cache();
        var token = Token(TimeSpan.FromMinutes(10));
        (await cache.ValidateTokenAsync(token, Parameters())).IsValid.ShouldBeTrue();
        _clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        (await cache.ValidateTokenAsync(token, Parameters())).IsValid.ShouldBeTrue();
        _inner.Validations.ShouldBe(1);

        _clock.Advance(TimeSpan.FromSeconds(1));
        var expired = await cache.ValidateTokenAsync(token, Parameters());

        expired.IsValid.ShouldBeFalse();
        expired.Exception.ShouldBeAssignableTo<SecurityTokenInvalidLifetimeException>();
        _inner.Validations.ShouldBe(2);
        cache.Count.ShouldBe(0);
    }

    [Fact]
    public async Task Past_its_expiry_a_token_is_never_answered_from_the_cache_even_if_the_validation_would_still_take_it()
    {
        // The identity library checks the lifetime on the machine's clock, with a minute of skew: the cache stops at the
        // token's expiry on its own clock and leaves the rest to the validation.
        var cache = Cache();
        var token = _issuer.Create(new TokenRequest([GroceryRoles.Ops], Lifetime: TimeSpan.FromMinutes(10)), DateTimeOffset.UtcNow);
        _clock.Set(DateTimeOffset.UtcNow);
        var parameters = _issuer.Validation(TimeSpan.FromMinutes(1));
        (await cache.ValidateTokenAsync(token, parameters)).IsValid.ShouldBeTrue();

        _clock.Advance(TimeSpan.FromMinutes(11));
        (await cache.ValidateTokenAsync(token, parameters)).IsValid.ShouldBeTrue();

        _inner.Validations.ShouldBe(2);
    }

    [Fact]
    public async Task Keys_fetched_again_make_a_token_be_validated_afresh_and_a_key_rotated_out_refuses_it()
    {
        var cache = Cache();
        var provider = new Provider(Configuration(_issuer.SigningKey));
        var parameters = new TokenValidationParameters
        {
            ValidAudience = LocalTokenIssuer.Audience,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            LifetimeValidator = Parameters().LifetimeValidator,
            ConfigurationManager = provider,
        };
        var token = Token();
        (await cache.ValidateTokenAsync(token, parameters)).IsValid.ShouldBeTrue();
        (await cache.ValidateTokenAsync(token, parameters)).IsValid.ShouldBeTrue();
        _inner.Validations.ShouldBe(1);

        provider.Current = Configuration(_issuer.SigningKey);
        (await cache.ValidateTokenAsync(token, parameters)).IsValid.ShouldBeTrue();
        _inner.Validations.ShouldBe(2);

        using var rotatedIn = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        provider.Current = Configuration(new ECDsaSecurityKey(rotatedIn) { KeyId = "rotated-in" });
        (await cache.ValidateTokenAsync(token, parameters)).IsValid.ShouldBeFalse();
        _inner.Validations.ShouldBe(3);
    }

    [Fact]
    public async Task At_most_its_capacity_of_tokens_is_remembered_and_one_that_finds_no_room_is_validated_each_time()
    {
        var cache = Cache(capacity: 2);
        var tokens = new[] { Token(), Token(), Token() };
        foreach (var token in tokens)
        {
            (await cache.ValidateTokenAsync(token, Parameters())).IsValid.ShouldBeTrue();
        }

        cache.Count.ShouldBe(2);
        _inner.Validations.ShouldBe(3);
        (await cache.ValidateTokenAsync(tokens[2], Parameters())).IsValid.ShouldBeTrue();
        _inner.Validations.ShouldBe(4);
        (await cache.ValidateTokenAsync(tokens[0], Parameters())).IsValid.ShouldBeTrue();
        _inner.Validations.ShouldBe(4);
    }

    [Fact]
    public async Task Expired_tokens_are_dropped_and_make_room()
    {
        var cache = Cache(capacity: 2);
        (await cache.ValidateTokenAsync(Token(TimeSpan.FromMinutes(1)), Parameters())).IsValid.ShouldBeTrue();
        (await cache.ValidateTokenAsync(Token(TimeSpan.FromMinutes(1)), Parameters())).IsValid.ShouldBeTrue();
        cache.Count.ShouldBe(2);

        _clock.Advance(TimeSpan.FromMinutes(2));
        var later = _issuer.Create(new TokenRequest([GroceryRoles.Ops], Lifetime: TimeSpan.FromMinutes(10)), _clock.GetUtcNow());
        (await cache.ValidateTokenAsync(later, Parameters())).IsValid.ShouldBeTrue();

        cache.Count.ShouldBe(1);
        (await cache.ValidateTokenAsync(later, Parameters())).IsValid.ShouldBeTrue();
        _inner.Validations.ShouldBe(3);
    }

    [Fact]
    public async Task The_engines_bearer_scheme_checks_a_token_sent_with_every_request_once()
    {
        await using var factory = new GroceryApiFactory();
        using var client = await factory.Client(GroceryRoles.Ops);
        var cache = factory.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme)
            .TokenHandlers.OfType<ValidatedTokenCache>().Single();
        var before = cache.Count;

        for (var i = 0; i < 3; i++)
        {
            (await client.GetAsync(new Uri("/api/sagas", UriKind.Relative))).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        }

        cache.Count.ShouldBe(before + 1);
    }

    [Fact]
    public void A_negative_cache_size_stops_the_engine_at_start()
    {
        using var factory = new GroceryApiFactory();
        using var misconfigured = factory.WithWebHostBuilder(b => b.UseSetting("Auth:ValidatedTokenCacheSize", "-1"));

        var failure = Should.Throw<InvalidOperationException>(() => misconfigured.CreateClient());

        failure.Message.ShouldContain("Auth:ValidatedTokenCacheSize");
    }

    private static OpenIdConnectConfiguration Configuration(SecurityKey key)
    {
        var configuration = new OpenIdConnectConfiguration { Issuer = LocalTokenIssuer.Issuer };
        configuration.SigningKeys.Add(key);
        return configuration;
    }

    /// <summary>
    /// A provider whose keys the test sets; each configuration it hands out is what a fetch would give. It keeps no
    /// last known good configuration (the identity library's default accepts a rotated-out key for an hour more), so
    /// what the validation decides after a rotation is the keys' doing alone.
    /// </summary>
    private sealed class Provider : BaseConfigurationManager
    {
        public Provider(BaseConfiguration current)
        {
            Current = current;
            UseLastKnownGoodConfiguration = false;
        }

        public BaseConfiguration Current { get; set; }

        public override Task<BaseConfiguration> GetBaseConfigurationAsync(CancellationToken cancel) => Task.FromResult(Current);

        public override void RequestRefresh()
        {
            // The test decides when the keys change.
        }
    }

    private sealed class CountingHandler : JsonWebTokenHandler
    {
        private int _validations;

        public int Validations => Volatile.Read(ref _validations);

        public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
        {
            Interlocked.Increment(ref _validations);
            return base.ValidateTokenAsync(token, validationParameters);
        }
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public void Advance(TimeSpan by) => _now += by;

        public void Set(DateTimeOffset now) => _now = now;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
