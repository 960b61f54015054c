using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Grocery.Workflows.Persistence.Failures;

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

    public static string Body(string body)
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
            return Redacted;
        }

        Redact(root);
        // MassTransit's envelope names the machine, process id and assembly of the sender.
        (root as JsonObject)?.Remove("host");
        return root?.ToJsonString() ?? "null";
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

    public static string? StackTrace(string? stackTrace) => stackTrace is null ? null : SourceLocation().Replace(stackTrace, "");

    /// <summary>
    /// The secret values a message carries (its payment tokens), so that they can be taken out of text written about it:
    /// a provider's error message may quote the payment method it refused.
    /// </summary>
    public static IReadOnlyList<string> SecretValues(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var found = new List<string>();
        try
        {
            Collect(JsonNode.Parse(body), found);
        }
        catch (JsonException)
        {
            // Not JSON: no value can be told apart.
        }

        return found;
    }

    /// <summary>The text with every one of the secret values replaced.</summary>
    public static string Scrub(string text, IReadOnlyList<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(secrets);
        return secrets.Aggregate(text, (scrubbed, secret) => scrubbed.Replace(secret, Redacted, StringComparison.Ordinal));
    }

    private static void Collect(JsonNode? node, List<string> found)
    {
        switch (node)
        {
            case JsonObject item:
                foreach (var (name, value) in item)
                {
                    if (SecretProperties.Contains(name) && value is JsonValue secret && secret.TryGetValue<string>(out var text) && text.Length >= 4)
                    {
                        found.Add(text);
                    }
                    else
                    {
                        Collect(value, found);
                    }
                }

                break;
            case JsonArray list:
                foreach (var value in list)
                {
                    Collect(value, found);
                }

                break;
        }
    }

    private static void Redact(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject item:
                foreach (var (name, value) in item.ToList())
                {
                    if (SecretProperties.Contains(name) && value is JsonValue)
                    {
                        item[name] = Redacted;
                    }
                    else
                    {
                        Redact(value);
                    }
                }

                break;
            case JsonArray list:
                foreach (var value in list)
                {
                    Redact(value);
                }

                break;
        }
    }

    /// <summary>" in /src/Consumers/Payments/PaymentConsumers.cs:line 25" after each frame.</summary>
    [GeneratedRegex(@" in [^\r\n]*:line \d+")]
    private static partial Regex SourceLocation();
}
