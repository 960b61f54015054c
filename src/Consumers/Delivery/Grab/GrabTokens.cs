using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Consumers.Delivery.Grab;

/// <summary>
/// Grab's OAuth2 client-credentials token (scope <c>grab_express.partner_deliveries</c>), fetched once and kept until a
/// minute before it expires (Grab gives seven days); one fetch at a time, and a 401 from the API drops it.
/// </summary>
public sealed class GrabTokens(IHttpClientFactory clients, IOptions<GrabSettings> options, TimeProvider time) : IDisposable
{
    public const string Scope = "grab_express.partner_deliveries";
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _fetching = new(1, 1);
    private (string Token, DateTimeOffset Until)? _current;

    public async Task<string> Get(CancellationToken cancellationToken)
    {
        if (_current is { } held && held.Until > time.GetUtcNow())
        {
            return held.Token;
        }

        await _fetching.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } fetched && fetched.Until > time.GetUtcNow())
            {
                return fetched.Token;
            }

            var settings = options.Value;
            using var http = clients.CreateClient(nameof(GrabTokens));
            using var response = await http.PostAsJsonAsync(new Uri(settings.TokenUrl), new TokenRequest(settings.ClientId!, settings.ClientSecret!), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                // Never the body: it may echo the client's secret.
                throw new HttpRequestException($"Grab's token endpoint answered {(int)response.StatusCode}.", null, response.StatusCode);
            }

            var token = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken)
                ?? throw new HttpRequestException("Grab's token endpoint answered no token.");
            if (string.IsNullOrEmpty(token.AccessToken) || token.ExpiresIn <= 0)
            {
                throw new HttpRequestException("Grab's token endpoint answered no access_token or no expires_in.");
            }

            var lifetime = TimeSpan.FromSeconds(token.ExpiresIn);
            _current = (token.AccessToken, time.GetUtcNow() + (lifetime > Margin * 2 ? lifetime - Margin : lifetime / 2));
            return token.AccessToken;
        }
        finally
        {
            _fetching.Release();
        }
    }

    public void Dispose() => _fetching.Dispose();

    /// <summary>The API refused the token (revoked, or the clock was wrong): the next call fetches another.</summary>
    public void Drop(string token)
    {
        if (_current?.Token == token)
        {
            _current = null;
        }
    }

    private sealed record TokenRequest(
        [property: JsonPropertyName("client_id")] string ClientId,
        [property: JsonPropertyName("client_secret")] string ClientSecret,
        [property: JsonPropertyName("grant_type")] string GrantType = "client_credentials",
        [property: JsonPropertyName("scope")] string RequestedScope = Scope);

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("token_type")] string? TokenType,
        [property: JsonPropertyName("expires_in")] long ExpiresIn);
}
