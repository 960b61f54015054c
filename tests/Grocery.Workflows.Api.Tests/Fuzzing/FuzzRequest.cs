using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Grocery.Workflows.Api.Tests.Fuzzing;

/// <summary>One query string entry as sent: already percent-encoded; a null value is the bare name (<c>?limit</c>).</summary>
public readonly record struct QueryEntry(string Name, string? Value);

/// <summary>
/// One request of the fuzzer: the operation's valid request with one input changed (<see cref="What"/>). Values are
/// kept percent-encoded as they go on the wire, so that encodings no client would make (a lone surrogate, invalid
/// UTF-8) arrive as written.
/// </summary>
public sealed record FuzzRequest
{
    public required FuzzOperation Operation { get; init; }

    /// <summary>What was changed, e.g. <c>path orderId: a lone surrogate</c>; "valid" for the unchanged request.</summary>
    public required string What { get; init; }

    /// <summary>The input that was changed (<c>body lines[0].sku</c>, <c>header Stripe-Signature</c>), or null.</summary>
    public string? Input { get; init; }

    public required ImmutableDictionary<string, string> PathValues { get; init; }

    public required ImmutableList<QueryEntry> Query { get; init; }

    public required ImmutableDictionary<string, string> Headers { get; init; }

    public byte[]? Body { get; init; }

    /// <summary>Sent as is, without validation; null sends no Content-Type.</summary>
    public string? ContentType { get; init; }

    /// <summary>A Content-Length larger than the bytes sent: a body over a cap too large to build (256 MiB).</summary>
    public long? DeclaredLength { get; init; }

    /// <summary>False when a path value cannot match the route's constraints (a non-GUID id): routing, not the route, answers.</summary>
    public bool Routable { get; init; } = true;

    /// <summary>True when a header alone is over the engine's cap of all headers together.</summary>
    public bool OverHeaderCap { get; init; }

    /// <summary>True when the URL or the headers are over the engine's caps, which are answered (414, 431) before anything else.</summary>
    public bool OverServerCaps => OverHeaderCap || Url.Length > RequestLimits.Url;

    public string Url
    {
        get
        {
            var path = PathValues.Aggregate(Operation.Path, (p, v) => p.Replace("{" + v.Key + "}", v.Value, StringComparison.Ordinal));
            return Query.IsEmpty ? path : path + "?" + string.Join('&', Query.Select(q => q.Value is null ? q.Name : $"{q.Name}={q.Value}"));
        }
    }

    public string BodyText => Body is null ? "" : Encoding.UTF8.GetString(Body);

    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Operation.Method), new Uri(Url, UriKind.Relative));
        foreach (var (name, value) in Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }

            if (DeclaredLength is { } length)
            {
                message.Content.Headers.ContentLength = length;
            }
        }

        return message;
    }

    /// <summary>The request as a failure message shows it: enough to send it again by hand.</summary>
    public string Describe()
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{Operation.Method} {Excerpt(Url, 300)}  [{What}]");
        foreach (var (name, value) in Headers)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n    {name}: {Excerpt(value, 120)}");
        }

        if (Body is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n    Content-Type: {ContentType ?? "(none)"}{(DeclaredLength is { } l ? $", Content-Length: {l}" : "")}");
            text.Append(CultureInfo.InvariantCulture, $"\n    body ({Body.Length} bytes): {Excerpt(BodyText, 400)}");
        }

        return text.ToString();
    }

    /// <summary>The start of a text with control and non-ASCII characters escaped, so that the message shows what was sent.</summary>
    public static string Excerpt(string text, int length)
    {
        ArgumentNullException.ThrowIfNull(text);
        var shown = new StringBuilder();
        foreach (var c in text.Length > length ? text[..length] : text)
        {
            shown.Append(c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return text.Length > length ? shown.Append(CultureInfo.InvariantCulture, $"... ({text.Length} chars)").ToString() : shown.ToString();
    }
}
