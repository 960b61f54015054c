using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Grocery.Workflows.Messaging.Failures;

/// <summary>
/// What ops may see of a failed message. The stored copy stays whole (a replay sends it as it was); the view drops
/// payment tokens from the body, the envelope's and the headers' names of the machine and process involved, and the
/// source paths in the stack trace.
/// </summary>
public static partial class FailureRedaction
{
    public const string Redacted = "[redacted]";

    /// <summary>Properties whose value is a payment method or a secret, in any message (matched ignoring case).</summary>
    private static readonly HashSet<string> SecretProperties = new(StringComparer.OrdinalIgnoreCase) { "token", "paymentToken", "secret", "apiKey" };

    /// <summary>MassTransit's host headers: machine, process, assembly and framework of the instance that failed.</summary>
    private const string HostHeaderPrefix = "MT-Host-";

    /// <summary>The body as ops may see it, and the secret values it carried.</summary>
    public sealed record RedactedBody(string Json, IReadOnlyList<string> Secrets);

    /// <summary>
    /// The body with its secrets replaced and MassTransit's <c>host</c> (machine, process id, assembly of the sender)
    /// left out, and the secret values it carried, so that they can be taken out of text written about the message too:
    /// a provider's error message may quote the payment method it refused.
    /// </summary>
    public static RedactedBody Body(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            // Not JSON: nothing can tell its secrets from the rest.
            return new RedactedBody(Redacted, []);
        }

        var secrets = new List<string>();
        Redact(root, secrets);
        (root as JsonObject)?.Remove("host");
        return new RedactedBody(root?.ToJsonString() ?? "null", secrets);
    }

    public static string? Headers(string? headers)
    {
        if (headers is null)
        {
            return null;
        }

        var all = JsonSerializer.Deserialize<Dictionary<string, string?>>(headers) ?? [];
        return JsonSerializer.Serialize(all.Where(h => !h.Key.StartsWith(HostHeaderPrefix, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key, h => h.Value));
    }

    /// <summary>The stack trace without source paths, and without any of the secret values.</summary>
    public static string? StackTrace(string? stackTrace, IReadOnlyList<string> secrets) =>
        stackTrace is null ? null : SourceLocation().Replace(Scrub(stackTrace, secrets), "");

    /// <summary>The text with every one of the secret values replaced.</summary>
    public static string Scrub(string text, IReadOnlyList<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(secrets);
        return secrets.Aggregate(text, (scrubbed, secret) => scrubbed.Replace(secret, Redacted, StringComparison.Ordinal));
    }

    /// <summary>Replaces every secret property's value, noting the values long enough to find again in other text.</summary>
    private static void Redact(JsonNode? node, List<string> secrets)
    {
        switch (node)
        {
            case JsonObject item:
                foreach (var (name, value) in item.ToList())
                {
                    if (SecretProperties.Contains(name) && value is JsonValue secret)
                    {
                        if (secret.TryGetValue<string>(out var text) && text.Length >= 4)
                        {
                            secrets.Add(text);
                        }

                        item[name] = Redacted;
                    }
                    else
                    {
                        Redact(value, secrets);
                    }
                }

                break;
            case JsonArray list:
                foreach (var value in list)
                {
                    Redact(value, secrets);
                }

                break;
        }
    }

    /// <summary>" in /src/Consumers/Payments/PaymentConsumers.cs:line 25" after each frame.</summary>
    [GeneratedRegex(@" in [^\r\n]*:line \d+")]
    private static partial Regex SourceLocation();
}
