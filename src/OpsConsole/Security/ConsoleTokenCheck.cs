using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Grocery.Workflows.OpsConsole.Security;

/// <summary>What a token pasted into the sign-in page turned out to be.</summary>
public sealed record TokenCheck(ClaimsPrincipal? Principal, DateTimeOffset? Expires, string? Error);

/// <summary>
/// Checks a token exactly as the API checks a bearer token: the JWT bearer scheme's handlers and validation parameters,
/// and with an OpenID Connect provider its discovered issuer and signing keys.
/// </summary>
public sealed class ConsoleTokenCheck(IOptionsMonitor<JwtBearerOptions> bearer)
{
    /// <summary>Longer than any token the engine or a provider issues; longer input is refused unread.</summary>
    public const int MaxLength = 16 * 1024;

    /// <summary>Whether tokens come from the engine's own key (the embedded default) rather than an OpenID Connect provider.</summary>
    public bool LocalIssuer => string.IsNullOrEmpty(bearer.Get(JwtBearerDefaults.AuthenticationScheme).Authority);

    public async Task<TokenCheck> Check(string? token, CancellationToken cancellationToken)
    {
        token = token?.Trim();
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength)
        {
            return new TokenCheck(null, null, "empty-or-too-long");
        }

        var options = bearer.Get(JwtBearerDefaults.AuthenticationScheme);
        var parameters = options.TokenValidationParameters.Clone();
        if (options.ConfigurationManager is { } provider)
        {
            var configuration = await provider.GetConfigurationAsync(cancellationToken);
            parameters.ValidIssuers = [.. parameters.ValidIssuers ?? [], configuration.Issuer];
            parameters.IssuerSigningKeys = [.. parameters.IssuerSigningKeys ?? [], .. configuration.SigningKeys];
        }

        foreach (var handler in options.TokenHandlers)
        {
            var result = await handler.ValidateTokenAsync(token, parameters);
            if (result.IsValid)
            {
                var expires = result.SecurityToken?.ValidTo is { } to && to > DateTime.MinValue ? new DateTimeOffset(DateTime.SpecifyKind(to, DateTimeKind.Utc)) : (DateTimeOffset?)null;
                return new TokenCheck(new ClaimsPrincipal(result.ClaimsIdentity), expires, null);
            }
        }

        return new TokenCheck(null, null, "invalid");
    }
}
