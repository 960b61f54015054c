using System.Security.Cryptography;
using System.Text;

namespace Grocery.Workflows.Consumers.Payments.MoMo;

/// <summary>
/// MoMo's request signature: the fields as <c>key=value</c> pairs sorted by key and joined with <c>&amp;</c>, signed
/// with HMAC-SHA256 under the partner's secret key, as lower-case hex.
/// </summary>
public static class MoMoSignature
{
    public static string Sign(string secretKey, IEnumerable<KeyValuePair<string, string>> fields)
    {
        ArgumentNullException.ThrowIfNull(secretKey);
        var raw = string.Join("&", fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secretKey), Encoding.UTF8.GetBytes(raw)));
    }

    /// <summary>Compares in constant time, so a forger learns nothing from how long a refusal takes.</summary>
    public static bool Matches(string expected, string? given) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(given.ToLowerInvariant()));
}
