using Grocery.Workflows.Api.Security;
using Grocery.Workflows.OpsConsole.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.IdentityModel.Tokens;

namespace Grocery.Workflows.Host.Security;

public static class AuthenticationRegistration
{
    private const string SelectingScheme = "grocery";

    /// <summary>
    /// Bearer tokens from the configured OpenID Connect provider, or in Development from the engine's own key; the
    /// roles' policies; 401 and 403 as problem details.
    /// </summary>
    public static WebApplicationBuilder AddGroceryAuthentication(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = builder.Configuration.GetSection("Auth").Get<AuthSettings>() ?? new AuthSettings();
        LocalTokenIssuer? local = null;
        if (string.IsNullOrWhiteSpace(settings.Authority))
        {
            if (!builder.Environment.IsDevelopment())
            {
                throw new InvalidOperationException(
                    $"Auth:Authority is empty in the {builder.Environment.EnvironmentName} environment: set it (and Auth:Audience) to the OpenID Connect provider " +
                    "that issues this engine's tokens. The engine's own signing key is accepted in Development only.");
            }

            local = LocalTokenIssuer.LoadOrCreate(settings.LocalKeyFile);
            builder.Services.AddSingleton(local);
        }
        else if (string.IsNullOrWhiteSpace(settings.Audience))
        {
            throw new InvalidOperationException("Auth:Audience is empty: set it to the audience the provider's tokens carry for this engine.");
        }

        if (settings.ValidatedTokenCacheSize < 0)
        {
            throw new InvalidOperationException($"Auth:ValidatedTokenCacheSize is {settings.ValidatedTokenCacheSize}: set it to 0 (no cache) or more.");
        }

        // Bearer tokens everywhere but under the ops console, whose pages know their operator by the console's cookie.
        var authentication = builder.Services.AddAuthentication(SelectingScheme)
            .AddPolicyScheme(SelectingScheme, "Bearer token, or the ops console's cookie under its path", options =>
                options.ForwardDefaultSelector = context => OpsConsolePath.Is(context.Request.Path) ? ConsoleAuthentication.Scheme : JwtBearerDefaults.AuthenticationScheme)
            .AddOpsConsoleCookie(secureOnly: !builder.Environment.IsDevelopment())
            .AddJwtBearer(options =>
        {
            // Claims keep their names from the token (sub, role, customer, stores), not the WS-* URIs.
            options.MapInboundClaims = false;
            RememberValidatedTokens(options, settings.ValidatedTokenCacheSize);
            if (local is not null)
            {
                options.TokenValidationParameters = local.Validation(settings.ClockSkew);
                return;
            }

            options.Authority = settings.Authority;
            options.Audience = settings.Audience;
            options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            options.AutomaticRefreshInterval = settings.KeyRefreshInterval;
            options.RefreshInterval = settings.UnknownKeyRefreshInterval;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidAudience = settings.Audience,
                ClockSkew = settings.ClockSkew,
                NameClaimType = GroceryClaims.Name,
                RoleClaimType = GroceryClaims.Role,
            };
        });
        if (!string.IsNullOrWhiteSpace(settings.ConsoleClientId))
        {
            if (local is not null)
            {
                throw new InvalidOperationException("Auth:ConsoleClientId is set but Auth:Authority is empty: the console signs in at the provider that Auth:Authority names.");
            }

            authentication.AddOpsConsoleProvider(new ConsoleClient(settings.Authority!, settings.ConsoleClientId, settings.ConsoleClientSecret, settings.RequireHttpsMetadata,
                SecureCookies: !builder.Environment.IsDevelopment()));
        }

        builder.Services.AddAuthorization(options => options.AddGroceryPolicies());
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthorizationProblems>();
        RemoveRoutingContentTypeCheck(builder.Services);
        return builder;
    }

    /// <summary>
    /// Every token handler behind a cache of the tokens it validated (one per scheme's options, so one set of validation
    /// parameters): the signature check of a token sent with every request is done once per token, not per request.
    /// </summary>
    private static void RememberValidatedTokens(JwtBearerOptions options, int capacity)
    {
        if (capacity == 0)
        {
            return;
        }

        for (var i = 0; i < options.TokenHandlers.Count; i++)
        {
            // The system's clock: the identity library checks a token's lifetime on it, whatever TimeProvider the engine has.
            options.TokenHandlers[i] = new ValidatedTokenCache(options.TokenHandlers[i], capacity, TimeProvider.System);
        }
    }

    /// <summary>
    /// Routing's content-type check (for routes that declare <c>.Accepts</c>) answers a body of another type with a 415
    /// endpoint of its own, before authorization, and that endpoint has no policy but the fallback (ops): an operator got
    /// the 415 of a route only schedulers may call, and a scheduler sending its counts as text/plain was told it needs
    /// the ops role. Without it the route's policy comes first, and the route answers the 415 itself (JsonBody, the
    /// count import); <c>.Accepts</c> still describes the body in the OpenAPI document.
    /// </summary>
    private static void RemoveRoutingContentTypeCheck(IServiceCollection services)
    {
        // Found by name (the type is internal): should ASP.NET Core rename it, the start fails here rather than the
        // 415s quietly coming before the roles again.
        var check = services.FirstOrDefault(d => d.ServiceType == typeof(MatcherPolicy) && d.ImplementationType?.Name == "AcceptsMatcherPolicy")
            ?? throw new InvalidOperationException("Routing's AcceptsMatcherPolicy was not found among the services: see RemoveRoutingContentTypeCheck.");
        services.Remove(check);
    }
}
