using Grocery.Workflows.Api.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Tokens;

namespace Grocery.Workflows.Host.Security;

public static class AuthenticationRegistration
{
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

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            // Claims keep their names from the token (sub, role, customer, stores), not the WS-* URIs.
            options.MapInboundClaims = false;
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
        builder.Services.AddAuthorization(options => options.AddGroceryPolicies());
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthorizationProblems>();
        return builder;
    }
}
