using Grocery.Workflows.Api.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Grocery.Workflows.OpsConsole.Security;

/// <summary>The console's client registration at the grocer's OpenID Connect provider.</summary>
/// <param name="Authority">The provider (the same issuer whose access tokens the API takes).</param>
/// <param name="ClientId">The console's client id at the provider.</param>
/// <param name="ClientSecret">Its secret; empty for a public client (PKCE is used either way).</param>
/// <param name="RequireHttpsMetadata">Only a test's loopback provider is read over plain HTTP.</param>
/// <param name="SecureCookies">Mark the sign-in's cookies Secure whatever the request's scheme (everywhere but Development).</param>
public sealed record ConsoleClient(string Authority, string ClientId, string? ClientSecret, bool RequireHttpsMetadata, bool SecureCookies);

/// <summary>
/// Sign-in through the provider's own pages (OpenID Connect authorization code flow with PKCE). The provider's ID token
/// says who signed in; the access token it returns beside it is checked by <see cref="ConsoleTokenCheck"/> exactly as
/// the API checks a bearer token, and its roles and stores become the console's cookie. Neither token is kept.
/// </summary>
public static class ConsoleProviderSignIn
{
    public const string Scheme = "ops-provider";
    public const string CallbackPath = OpsConsolePath.Prefix + "/signin-oidc";

    /// <summary>Where the provider's answer lands before the operator's page: see <c>SignInContinueModel</c>.</summary>
    public const string ContinuePath = OpsConsolePath.Prefix + "/sign-in/continue";

    /// <summary>Why a sign-in through the provider was refused, as the sign-in page's <c>refused</c> parameter.</summary>
    public static class Refusals
    {
        public const string Provider = "provider";
        public const string Token = "token";
        public const string Role = "role";
    }

    public static AuthenticationBuilder AddOpsConsoleProvider(this AuthenticationBuilder builder, ConsoleClient client)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(client);
        return builder.AddOpenIdConnect(Scheme, "The grocer's sign-in provider", options =>
        {
            options.Authority = client.Authority;
            options.ClientId = client.ClientId;
            options.ClientSecret = string.IsNullOrEmpty(client.ClientSecret) ? null : client.ClientSecret;
            options.RequireHttpsMetadata = client.RequireHttpsMetadata;
            options.ResponseType = OpenIdConnectResponseType.Code;
            // The answer comes back as a top-level GET, so the correlation and nonce cookies can be SameSite=Lax
            // (form_post would need SameSite=None).
            options.ResponseMode = OpenIdConnectResponseMode.Query;
            options.UsePkce = true;
            options.CallbackPath = CallbackPath;
            options.SignInScheme = ConsoleAuthentication.Scheme;
            options.Scope.Clear();
            options.Scope.Add(OpenIdConnectScope.OpenId);
            options.Scope.Add(OpenIdConnectScope.OpenIdProfile);
            options.MapInboundClaims = false;
            options.SaveTokens = false;
            options.GetClaimsFromUserInfoEndpoint = false;
            options.CorrelationCookie.SameSite = SameSiteMode.Lax;
            options.CorrelationCookie.SecurePolicy = ConsoleAuthentication.CookiePolicy(client.SecureCookies);
            options.NonceCookie.SameSite = SameSiteMode.Lax;
            options.NonceCookie.SecurePolicy = ConsoleAuthentication.CookiePolicy(client.SecureCookies);
            options.Events.OnTokenValidated = TakeTheAccessToken;
            options.Events.OnRemoteFailure = context =>
            {
                var refusal = context.Failure?.Data[nameof(Refusals)] as string ?? Refusals.Provider;
                context.Response.Redirect($"{OpsConsolePath.Prefix}/sign-in?refused={refusal}");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
    }

    /// <summary>The challenge's properties: back to <paramref name="returnUrl"/> (inside the console) by way of the continue page.</summary>
    public static AuthenticationProperties Challenge(string returnUrl) =>
        new() { RedirectUri = $"{ContinuePath}?returnUrl={Uri.EscapeDataString(returnUrl)}" };

    private static async Task TakeTheAccessToken(TokenValidatedContext context)
    {
        var check = context.HttpContext.RequestServices.GetRequiredService<ConsoleTokenCheck>();
        var access = await check.Check(context.TokenEndpointResponse?.AccessToken, context.HttpContext.RequestAborted);
        if (access.Principal is null)
        {
            Refuse(context, "The provider's access token was not accepted as the API would accept it.", Refusals.Token);
            return;
        }

        var signedIn = context.Principal?.FindFirst(GroceryClaims.Subject)?.Value;
        if (signedIn is null || signedIn != access.Principal.FindFirst(GroceryClaims.Subject)?.Value)
        {
            Refuse(context, "The provider's access token is not for the person its ID token names.", Refusals.Token);
            return;
        }

        if (!Caller.Of(access.Principal).Is(GroceryRoles.Ops))
        {
            Refuse(context, "The provider's token does not carry the ops role.", Refusals.Role);
            return;
        }

        var time = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        context.Principal = ConsoleAuthentication.Principal(access.Principal);
        context.Properties!.ExpiresUtc = ConsoleAuthentication.SessionEnd(time, access.Expires);
        context.Properties.IsPersistent = false;
        context.Properties.AllowRefresh = false;
    }

    private static void Refuse(TokenValidatedContext context, string message, string refusal)
    {
        var failure = new AuthenticationFailureException(message);
        failure.Data[nameof(Refusals)] = refusal;
        context.Fail(failure);
    }
}
