using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Grocery.Workflows.Api;

/// <summary>
/// A JSON request body read by the engine's one set of rules, or the problem that answers it: at most the route's
/// size cap (<see cref="RequestLimits"/>; 413), <c>application/json</c> (415), well-formed JSON with no key twice in
/// one object, and every string real text (a lone surrogate escape or invalid UTF-8 is 400 naming the field). A body
/// that arrives too slowly is 408. The route then checks the shape field by field.
/// </summary>
public readonly record struct JsonBody(JsonElement Json, IResult? Problem)
{
    /// <summary>The body's bytes as they came (a signature is over them).</summary>
    public ReadOnlyMemory<byte> Bytes { get; private init; }

    private static readonly JsonDocumentOptions Strict = new() { MaxDepth = 16, AllowDuplicateProperties = false };

    /// <summary>
    /// How a body binds to its request record: member names exactly as documented (no "CustomerId" for "customerId"),
    /// a number is a JSON number (not "12"), and a member the record does not name is refused.
    /// </summary>
    private static readonly JsonSerializerOptions Binding = new(JsonSerializerDefaults.Web)
    {
        PropertyNameCaseInsensitive = false,
        NumberHandling = JsonNumberHandling.Strict,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>True when no body was sent and the route allows that (<c>optional</c>).</summary>
    public bool IsEmpty => Problem is null && Json.ValueKind == JsonValueKind.Undefined;

    /// <summary>Reads and checks the body; with <paramref name="optional"/> an empty body is no problem.</summary>
    public static async Task<JsonBody> Read(HttpRequest request, CancellationToken cancellationToken, bool optional = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        var limit = RequestLimits.BodyLimitOf(request.HttpContext);
        if (request.ContentLength > limit)
        {
            return new JsonBody(default, RequestLimits.TooLarge(limit));
        }

        if (request.ContentLength is null or 0 && !request.Headers.TransferEncoding.Any(v => v is not null && v.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
        {
            return optional ? new JsonBody(default, null) : new JsonBody(default, Problems.Invalid("body", "A JSON body is required."));
        }

        if (!request.HasJsonContentType())
        {
            return new JsonBody(default, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "JSON expected",
                detail: "Send the body as application/json."));
        }

        byte[] bytes;
        try
        {
            bytes = await ReadAtMost(request, limit, cancellationToken);
        }
        catch (BadHttpRequestException bad)
        {
            return new JsonBody(default, RequestLimits.FromBadRequest(bad, limit));
        }

        if (bytes.Length > limit)
        {
            return new JsonBody(default, RequestLimits.TooLarge(limit));
        }

        if (bytes.Length == 0)
        {
            return optional ? new JsonBody(default, null) : new JsonBody(default, Problems.Invalid("body", "A JSON body is required."));
        }

        return Parse(bytes);
    }

    /// <summary>
    /// The body bound to the request record <typeparamref name="T"/>; a body of another shape (another JSON type, a
    /// member <typeparamref name="T"/> does not name) is sent but has no value. Call on a body that is not empty.
    /// </summary>
    public Sent<T> Bind<T>() => JsonSerializer.Deserialize<Sent<T>>(Bytes.Span, Binding);

    /// <summary>The JSON names of the members of <typeparamref name="T"/>, in their order: what a request names as its known fields.</summary>
    public static IReadOnlyList<string> MembersOf<T>() =>
        [.. Binding.GetTypeInfo(typeof(T)).Properties.Where(p => !p.IsExtensionData).Select(p => p.Name)];

    /// <summary>True when the value is a JSON object with no field but these (each may be missing): a misspelt field is refused, never ignored.</summary>
    public static bool IsObjectOf(JsonElement value, params string[] fields) =>
        value.ValueKind == JsonValueKind.Object && value.EnumerateObject().All(p => fields.Contains(p.Name, StringComparer.Ordinal));

    /// <summary>Checks bytes already read (a webhook's, whose signature is over them) by the same rules.</summary>
    public static JsonBody Parse(ReadOnlyMemory<byte> bytes)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(bytes, Strict);
            root = document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            return new JsonBody(default, Problems.BadRequest("Malformed JSON", $"The body is not valid JSON: {exception.Message}"));
        }

        if (root.ValueKind == JsonValueKind.Null)
        {
            return new JsonBody(default, Problems.Invalid("body", "The body is null; send a JSON object."));
        }

        return NotText(root, "") is { } field
            ? new JsonBody(default, Problems.Invalid(field,
                $"{field} is not text: it holds invalid UTF-8 or half of a UTF-16 surrogate pair (such as \"\\ud800\" alone)."))
            : new JsonBody(root, null) { Bytes = bytes };
    }

    /// <summary>The path of the first string or property name that cannot be read as text, or null.</summary>
    private static string? NotText(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                if (IsText(element))
                {
                    return null;
                }

                return path.Length == 0 ? "body" : path;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (NotText(item, $"{(path.Length == 0 ? "body" : path)}[{index++}]") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return path.Length == 0 ? "body" : path;
                    }

                    if (NotText(property.Value, path.Length == 0 ? name : $"{path}.{name}") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static bool IsText(JsonElement value)
    {
        try
        {
            _ = value.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task<byte[]> ReadAtMost(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            await buffer.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
            if (buffer.Length > limit)
            {
                break;
            }
        }

        return buffer.ToArray();
    }
}
