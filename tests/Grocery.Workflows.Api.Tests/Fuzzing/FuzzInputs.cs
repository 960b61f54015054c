using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Grocery.Workflows.Api.Tests.Fuzzing;

/// <summary>A bad value: percent-encoded for a URL, or a raw JSON fragment for a body; and why it is bad.</summary>
public sealed record FuzzValue(string Text, string Why);

/// <summary>
/// Bad inputs for an operation, each from its valid request with one thing changed: every parameter the document
/// declares (by its type), every field of the JSON body (by the type of its valid value), and the body as a whole
/// (empty, not JSON, not an object, a key twice, too deep, too large, of another content type). Random only picks
/// among them when there are more than the cap, so the same seed gives the same requests.
/// </summary>
public static class FuzzInputs
{
    private const string Marker = "@@fuzz-value@@";

    private static readonly string TenKilobytes = new('x', 10 * 1024);

    /// <summary>Text that is no plain identifier: empty, long, control and format characters, half a surrogate pair, bad UTF-8.</summary>
    public static readonly IReadOnlyList<FuzzValue> Text =
    [
        new("", "empty"), new("%20", "a space"), new(new string('x', 300), "300 characters"), new(new string('x', 5000), "over the URL cap"),
        new("%00", "NUL"), new("a%0Ab", "a line break"), new("%1B%5B31m", "an ANSI escape"), new("%ED%A0%80", "a lone high surrogate"),
        new("x%ED%B0%80", "a lone low surrogate"), new("%FF%FE", "invalid UTF-8"), new("%C0%AF", "overlong UTF-8"),
        new("tst-01%E2%80%AE", "a bidi override"), new("a%E2%80%8Bb", "a zero-width space"), new("%EF%BB%BF", "a byte order mark"),
        new("%F0%9F%98%80", "an emoji"), new("%25", "a percent sign"), new("%25zz", "a broken escape"), new("a%2Fb", "an encoded slash"),
        new("%2E%2E", "dot-dot"), new("%27%20OR%201%3D1--", "SQL"), new("%3Cscript%3E", "markup"), new("TST-01", "upper case"),
        new("%EF%BC%91", "a fullwidth digit"),
    ];

    public static readonly IReadOnlyList<FuzzValue> Integers =
    [
        new("0", "zero"), new("-1", "negative"), new("2147483647", "int.MaxValue"), new("2147483648", "int.MaxValue + 1"),
        new("-2147483649", "int.MinValue - 1"), new("9223372036854775807", "long.MaxValue"), new("9223372036854775808", "long.MaxValue + 1"),
        new("-9223372036854775809", "long.MinValue - 1"), new("99999999999999999999999999", "huge"), new("1e3", "an exponent"),
        new("0x10", "hexadecimal"), new("1.5", "a fraction"), new("%2B1", "a plus sign"), new("%201", "a leading space"), new("NaN", "NaN"),
        new("%D9%A3", "an Arabic-Indic digit"),
    ];

    public static readonly IReadOnlyList<FuzzValue> Booleans =
        [new("yes", "yes"), new("2", "two"), new("TRUE", "upper case"), new("1", "one"), new("true%00", "true and NUL"), new("", "empty")];

    /// <summary>Raw JSON numbers at and past every boundary the engine's types have.</summary>
    public static readonly IReadOnlyList<FuzzValue> JsonNumbers =
    [
        new("0", "zero"), new("-1", "negative"), new("-0", "negative zero"), new("1.5", "a fraction"), new("0.0001", "a tiny fraction"),
        new("1e308", "1e308"), new("-1e308", "-1e308"), new("1e-400", "an underflow"), new("2147483648", "int.MaxValue + 1"),
        new("9223372036854775807", "long.MaxValue"), new("-9223372036854775808", "long.MinValue"), new("9223372036854775808", "long.MaxValue + 1"),
        new("-9223372036854775809", "long.MinValue - 1"), new("79228162514264337593543950336", "decimal.MaxValue + 1"),
        new("1." + new string('1', 400), "400 decimals"),
    ];

    /// <summary>Raw JSON strings that are no plain text, or text of the wrong kind.</summary>
    public static readonly IReadOnlyList<FuzzValue> JsonStrings =
    [
        new("\"\"", "empty"), new("\"   \"", "blank"), new("\"NaN\"", "NaN as a string"), new("\"Infinity\"", "Infinity as a string"),
        new("\"-1\"", "a number as a string"), new("\"1e308\"", "1e308 as a string"), new($"\"{TenKilobytes}\"", "10 KB"),
        new("\"\\u0000\"", "NUL"), new("\"line\\nbreak\"", "a line break"), new("\"\\u001b[2J\"", "an ANSI escape"),
        new("\"\\ud800\"", "a lone high surrogate"), new("\"x\\udc00\"", "a lone low surrogate"), new("\"\\u202eevil\"", "a bidi override"),
        new("\"a\\u200bb\"", "a zero-width space"), new("\"\\ufeff\"", "a byte order mark"), new("\"\\u0085\"", "a next-line control"),
        new("\"\\ud835\\udd4f\"", "an astral character"), new("\"tst-01\\u0000\"", "an id and NUL"),
    ];

    /// <summary>Values of the wrong kind for anything.</summary>
    public static readonly IReadOnlyList<FuzzValue> JsonOthers =
    [
        new("null", "null"), new("true", "a boolean"), new("[]", "an empty array"), new("{}", "an empty object"), new("[null]", "an array of null"),
        new("{\"$ref\":\"#\"}", "an object"),
    ];

    /// <summary>The bad values for a parameter of the document's type and format.</summary>
    public static IReadOnlyList<FuzzValue> ForParameter(FuzzParameter parameter, Random random)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(random);
        var some = Text.Where(t => t.Why is "empty" or "over the URL cap" or "NUL" or "a lone high surrogate" or "invalid UTF-8" or "a bidi override").ToList();
        return (parameter.Type, parameter.Format, parameter.Name) switch
        {
            ("integer" or "number", _, _) => [.. Integers, .. some],
            ("boolean", _, _) => [.. Booleans, .. some],
            (_, "uuid", _) => [.. Uuids(random), .. some],
            (_, _, "date" or "from" or "to") => [.. Dates(), .. Text],
            _ => Text,
        };
    }

    private static List<FuzzValue> Uuids(Random random)
    {
        var guid = RandomGuid(random);
        return
        [
            new("00000000-0000-0000-0000-000000000000", "the empty GUID"), new("not-a-guid", "no GUID"), new(guid.ToString("N"), "a GUID without dashes"),
            new($"%7B{guid}%7D", "a GUID in braces"), new($"{guid}0", "a GUID and a digit"), new(guid.ToString().ToUpperInvariant(), "an upper-case GUID"),
            new("ffffffff-ffff-ffff-ffff-ffffffffffff", "the largest GUID"), new($"({guid})", "a GUID in parentheses"),
        ];
    }

    private static List<FuzzValue> Dates()
    {
        var today = DateTime.UtcNow.Date;
        string Day(DateTime d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return
        [
            new("0001-01-01", "year 1"), new("9999-12-31", "year 9999"), new("2026-02-30", "February 30"), new("2026-13-01", "month 13"),
            new("20261218", "no dashes"), new("2026-1-1", "one-digit month and day"), new("-2026-01-01", "a negative year"),
            new("2026-01-01T00:00:00Z", "a time"), new(Day(today.AddDays(-1)), "yesterday"), new(Day(today.AddDays(400)), "400 days ahead"),
        ];
    }

    public static Guid RandomGuid(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    /// <summary>Each declared path, query and header parameter given each bad value of its type; query parameters also left out, sent empty, bare and twice.</summary>
    public static IEnumerable<FuzzRequest> Parameters(FuzzRequest valid, Random random)
    {
        ArgumentNullException.ThrowIfNull(valid);
        foreach (var parameter in valid.Operation.Parameters)
        {
            var values = ForParameter(parameter, random);
            switch (parameter.In)
            {
                case "path":
                    // A NUL in the path never reaches the engine: Kestrel refuses the request line with a 400 of its own,
                    // and the test server's client cannot even build the request.
                    foreach (var value in values.Where(v => !v.Text.Contains("%00", StringComparison.Ordinal)))
                    {
                        yield return valid with
                        {
                            What = $"path {parameter.Name}: {value.Why}", Input = $"path {parameter.Name}",
                            PathValues = valid.PathValues.SetItem(parameter.Name, value.Text), Routable = Routable(parameter, value.Text),
                        };
                    }

                    break;
                case "query":
                    var others = valid.Query.Where(q => q.Name != parameter.Name).ToImmutableList();
                    var current = valid.Query.Find(q => q.Name == parameter.Name).Value ?? "1";
                    foreach (var value in values)
                    {
                        yield return valid with { What = $"query {parameter.Name}: {value.Why}", Input = $"query {parameter.Name}", Query = others.Add(new(parameter.Name, value.Text)) };
                    }

                    yield return valid with { What = $"query {parameter.Name}: left out", Input = $"query {parameter.Name}", Query = others };
                    yield return valid with { What = $"query {parameter.Name}: bare name", Input = $"query {parameter.Name}", Query = others.Add(new(parameter.Name, null)) };
                    yield return valid with
                    {
                        What = $"query {parameter.Name}: twice", Input = $"query {parameter.Name}",
                        Query = others.Add(new(parameter.Name, current)).Add(new(parameter.Name, values[random.Next(values.Count)].Text)),
                    };
                    yield return valid with { What = $"query {parameter.Name}: an invalid escape", Input = $"query {parameter.Name}", Query = others.Add(new(parameter.Name, "%")) };
                    break;
                case "header":
                    var headers = valid.Headers.Remove(parameter.Name);
                    yield return valid with { What = $"header {parameter.Name}: left out", Input = $"header {parameter.Name}", Headers = headers };
                    foreach (var (value, why) in HeaderValues)
                    {
                        yield return valid with
                        {
                            What = $"header {parameter.Name}: {why}", Input = $"header {parameter.Name}", Headers = headers.Add(parameter.Name, value),
                            OverHeaderCap = value.Length > RequestLimits.Headers,
                        };
                    }

                    break;
            }
        }
    }

    /// <summary>Query parameters the operation does not declare, which must be ignored or refused, never choked on.</summary>
    public static IEnumerable<FuzzRequest> UndeclaredQuery(FuzzRequest valid)
    {
        ArgumentNullException.ThrowIfNull(valid);
        foreach (var (name, value, why) in new[] { ("unexpected", "%ED%A0%80", "a lone surrogate"), ("%00", "1", "a NUL name"), ("limit", "-1", "a negative limit") })
        {
            if (valid.Operation.Parameters.All(p => p.Name != name))
            {
                yield return valid with { What = $"undeclared query {name}: {why}", Input = "undeclared query", Query = valid.Query.Add(new(name, value)) };
            }
        }
    }

    /// <summary>Header values a client can put on the wire that are still not what the header means.</summary>
    public static readonly IReadOnlyList<(string Value, string Why)> HeaderValues =
    [
        ("", "empty"), ("   ", "blank"), (new string('k', 129), "129 characters"), (TenKilobytes, "10 KB"), (new string('k', 20 * 1024), "over the header cap"),
        ("key\u202e", "a bidi override"), ("key\u200b", "a zero-width space"), ("k\u00e9y", "a Latin-1 letter"), ("key\u0001", "a control character"),
        ("\ud800", "a lone surrogate"),
    ];

    /// <summary>Whether a path value can match the route: a GUID or long route constraint refuses what does not parse.</summary>
    private static bool Routable(FuzzParameter parameter, string encoded)
    {
        // Routing keeps an encoded slash encoded; everything else arrives decoded.
        var decoded = Uri.UnescapeDataString(encoded.Replace("%2F", "\u2215", StringComparison.OrdinalIgnoreCase));
        if (decoded.Length == 0 || decoded is "." or "..")
        {
            return false;
        }

        return (parameter.Type, parameter.Format) switch
        {
            (_, "uuid") => Guid.TryParse(decoded, out _),
            ("integer", _) => long.TryParse(decoded, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            _ => true,
        };
    }

    /// <summary>
    /// Every field of a JSON body (nested objects and the first element of arrays too) left out or given each value of
    /// the wrong kind for its valid value; every object given a field it does not have; arrays emptied and overfilled.
    /// </summary>
    public static IEnumerable<FuzzRequest> JsonFields(FuzzRequest valid)
    {
        ArgumentNullException.ThrowIfNull(valid);
        var root = JsonNode.Parse(valid.Body!)!;
        foreach (var (path, value) in Slots(root, []))
        {
            var name = PathName(path);
            FuzzRequest With(string? raw, string why) => valid with { What = $"body {name}: {why}", Input = $"body {name}", Body = Replace(root, path, raw) };
            if (path.Count > 0)
            {
                yield return With(null, "left out");
            }

            IEnumerable<FuzzValue> values = value switch
            {
                JsonObject => [.. JsonOthers, new("\"x\"", "a string"), new("0", "a number")],
                JsonArray array => [.. JsonOthers, new("\"x\"", "a string"), new("0", "a number"),
                    new("[" + string.Join(',', Enumerable.Repeat(array.Count > 0 ? array[0]?.ToJsonString() ?? "null" : "null", 101)) + "]", "101 elements")],
                JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String =>
                    [.. JsonStrings, .. JsonOthers, .. JsonNumbers.Where(n => n.Why is "zero" or "negative" or "1e308" or "long.MaxValue + 1")],
                JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number =>
                    [.. JsonNumbers, .. JsonOthers, .. JsonStrings.Where(s => s.Why is "empty" or "NaN as a string" or "a number as a string" or "10 KB" or "a lone high surrogate")],
                _ => [.. JsonOthers, new("0", "zero"), new("1", "one"), new("\"true\"", "a boolean as a string")],
            };
            foreach (var bad in values.Where(v => path.Count > 0 || v.Text is not "null"))
            {
                yield return With(bad.Text, bad.Why);
            }

            if (value is JsonObject)
            {
                yield return valid with { What = $"body {name}: an unknown field", Input = $"body {name}", Body = Replace(root, [.. path, "unexpectedField"], "1") };
            }
        }
    }

    /// <summary>The body as a whole: absent, empty, not JSON, not an object, a key twice, too deep, too large, another content type.</summary>
    public static IEnumerable<FuzzRequest> WholeBodies(FuzzRequest valid)
    {
        ArgumentNullException.ThrowIfNull(valid);
        var text = valid.BodyText;
        var json = valid.ContentType ?? "application/json";
        FuzzRequest With(string why, byte[]? body, string? contentType = null) =>
            valid with { What = $"body: {why}", Input = "body", Body = body, ContentType = body is null ? null : contentType ?? json };
        byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

        yield return With("none", null);
        yield return With("empty", []);
        foreach (var (body, why) in new[]
        {
            ("null", "null"), ("[]", "an array"), ("{}", "an empty object"), ("0", "a number"), ("\"text\"", "a string"), ("true", "a boolean"),
            ("{", "cut off"), ("{\"a\":}", "a missing value"), ("{'a': 1}", "single quotes"), ("{\"a\": NaN}", "NaN"), ("{\"a\":1}{\"b\":2}", "two documents"),
            ("/* comment */ {}", "a comment"), ("{\"a\": \"unterminated", "an unterminated string"), ("\u0000", "NUL"),
            (new string('[', 1000) + new string(']', 1000), "nested 1000 deep"), (text.TrimEnd().TrimEnd('}', ']') + ",}", "a trailing comma"),
        })
        {
            yield return With(why, Utf8(body));
        }

        if (text.StartsWith('{') && JsonNode.Parse(text) is JsonObject { Count: > 0 } obj)
        {
            var (first, value) = obj.GetAt(0);
            yield return With($"{first} twice", Utf8("{" + $"\"{first}\":{value?.ToJsonString() ?? "null"}," + text[1..]));
            yield return With("a 10 KB field", Utf8(text[..^1] + $",\"padding\":\"{TenKilobytes}\"}}"));
        }

        yield return With("a byte order mark first", [0xEF, 0xBB, 0xBF, .. Utf8(text)]);
        yield return With("invalid UTF-8 in a string", Utf8("{\"a\":\"").Concat(new byte[] { 0xFF, 0xFE, 0xC0, 0xAF }).Concat(Utf8("\"}")).ToArray());
        yield return With("a raw lone surrogate (CESU-8) in a string", Utf8("{\"a\":\"").Concat(new byte[] { 0xED, 0xA0, 0x80 }).Concat(Utf8("\"}")).ToArray());

        var limit = valid.Operation.BodyLimit;
        if (limit <= 1024 * 1024)
        {
            var padding = new string('x', (int)limit);
            yield return With("over the route's body cap", Utf8(text.StartsWith('{') ? text[..^1] + $",\"padding\":\"{padding}\"}}" : $"[\"{padding}\"]"));
        }
        else
        {
            yield return With("a Content-Length over the route's body cap", Utf8(text)) with { DeclaredLength = limit + 1 };
        }

        foreach (var type in new[]
        {
            "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=fuzz", "application/json; charset=utf-16",
            "application/problem+json", "application/jsonx", "*/*", "application/json; charset=\"", "",
        })
        {
            yield return With($"Content-Type '{type}'", Utf8(text), type) with { Input = "content type" };
        }

        yield return valid with { What = "body: no Content-Type", Input = "content type", Body = valid.Body ?? Utf8("{}"), ContentType = null };
    }

    /// <summary>Every node below the root (and the root), with its path of property names and array indexes.</summary>
    private static IEnumerable<(IReadOnlyList<object> Path, JsonNode? Value)> Slots(JsonNode? node, IReadOnlyList<object> path)
    {
        yield return (path, node);
        if (node is JsonObject obj)
        {
            foreach (var (name, value) in obj)
            {
                foreach (var slot in Slots(value, [.. path, name]))
                {
                    yield return slot;
                }
            }
        }
        else if (node is JsonArray { Count: > 0 } array)
        {
            foreach (var slot in Slots(array[0], [.. path, 0]))
            {
                yield return slot;
            }
        }
    }

    public static string PathName(IReadOnlyList<object> path) =>
        path.Count == 0 ? "(root)" : string.Concat(path.Select((p, i) => (p, i) switch
        {
            (int index, _) => $"[{index}]",
            (_, 0) => $"{p}",
            _ => $".{p}",
        }));

    /// <summary>The body with the node at the path replaced by raw JSON text (kept exactly: numbers past double, lone surrogate escapes), or removed.</summary>
    private static byte[] Replace(JsonNode root, IReadOnlyList<object> path, string? raw)
    {
        if (path.Count == 0)
        {
            return Encoding.UTF8.GetBytes(raw ?? "");
        }

        var copy = root.DeepClone();
        var parent = path.Take(path.Count - 1).Aggregate(copy, (node, step) => step is int i ? node[i]! : node[(string)step]!);
        var last = path[^1];
        if (raw is null)
        {
            if (last is int index)
            {
                parent.AsArray().RemoveAt(index);
            }
            else
            {
                parent.AsObject().Remove((string)last);
            }

            return Encoding.UTF8.GetBytes(copy.ToJsonString());
        }

        if (last is int at)
        {
            parent[at] = Marker;
        }
        else
        {
            parent[(string)last] = Marker;
        }

        return Encoding.UTF8.GetBytes(copy.ToJsonString().Replace($"\"{Marker}\"", raw, StringComparison.Ordinal));
    }
}
