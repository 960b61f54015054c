using System.Security.Claims;
using Grocery.Workflows.Api.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.OpsConsole.Security;

/// <summary>
/// The console's sign-in: a cookie of its own, valid under <see cref="OpsConsolePath.Prefix"/> only, issued once a
/// token of the engine's issuer (the local one on the embedded default, the OpenID Connect provider's elsewhere) has been
/// checked by <see cref="ConsoleTokenCheck"/>. The cookie carries the token's subject, name, roles and stores, and
/// lives no longer than the token did (at most <see cref="MaxSession"/>).
/// </summary>
public static class ConsoleAuthentication
{
    public const string Scheme = "ops-console";
    public const string Policy = "ops-console";
    public const string CookieName = "grocery-ops";
    public static readonly TimeSpan MaxSession = TimeSpan.FromHours(8);

    /// <summary>
    /// The console's cookie scheme. <paramref name="secureOnly"/> (everywhere but Development) marks the console's
    /// cookies Secure whatever the request's scheme: behind a proxy that ends TLS the engine sees plain HTTP, and a
    /// cookie without Secure would go out again on any http:// request to the host.
    /// </summary>
    public static AuthenticationBuilder AddOpsConsoleCookie(this AuthenticationBuilder builder, bool secureOnly)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<ConsoleTokenCheck>();
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser()
            .AddRequirements(new RoleRequirement([GroceryRoles.Ops])));
        return builder.AddCookie(Scheme, options =>
        {
            options.Cookie.Name = CookieName;
            options.Cookie.Path = OpsConsolePath.Prefix;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookiePolicy(secureOnly);
            options.LoginPath = $"{OpsConsolePath.Prefix}/sign-in";
            options.LogoutPath = $"{OpsConsolePath.Prefix}/sign-out";
            options.AccessDeniedPath = $"{OpsConsolePath.Prefix}/sign-in";
            options.ReturnUrlParameter = "returnUrl";
            options.SlidingExpiration = false;
            options.ExpireTimeSpan = MaxSession;
        });
    }

    /// <summary>Secure always, or (on the embedded default, served over http://127.0.0.1) as the request came.</summary>
    public static CookieSecurePolicy CookiePolicy(bool secureOnly) => secureOnly ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;

    /// <summary>When a session signed in now with a token valid until <paramref name="tokenExpires"/> ends: with the token, at most <see cref="MaxSession"/>.</summary>
    public static DateTimeOffset SessionEnd(DateTimeOffset now, DateTimeOffset? tokenExpires) =>
        tokenExpires is { } end && end < now + MaxSession ? end : now + MaxSession;

    /// <summary>The console's principal: the token's identity claims, nothing else of it (the token itself is not kept).</summary>
    public static ClaimsPrincipal Principal(ClaimsPrincipal token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var kept = token.Claims.Where(c => c.Type is GroceryClaims.Subject or GroceryClaims.Name or GroceryClaims.Role or GroceryClaims.Roles
            or GroceryClaims.Scope or GroceryClaims.Scp or GroceryClaims.Stores or ClaimTypes.NameIdentifier or ClaimTypes.Role)
            .Select(c => new Claim(c.Type, c.Value));
        return new ClaimsPrincipal(new ClaimsIdentity(kept, Scheme, GroceryClaims.Name, GroceryClaims.Role));
    }
}
