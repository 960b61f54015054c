using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using MassTransit;

namespace Grocery.Workflows.Messaging.Outbox;

/// <summary>How an outbox row names and stores its message: the CLR type's full name and assembly, JSON body.</summary>
internal static class OutboxMessageTypes
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly ConcurrentDictionary<string, Type> Types = new(StringComparer.Ordinal);

    // MassTransit sets these itself on every send; only application headers are kept.
    private static readonly HashSet<string> TransportHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "MT-Activity-Id", "MT-Host-Info",
    };

    private static readonly ConcurrentDictionary<Type, string> Names = new();

    /// <summary>Built once per type: every captured message asks (the assembly's name is built anew on each call).</summary>
    public static string NameOf(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return Names.GetOrAdd(type, static t => !t.IsClass || t.IsAbstract
            ? throw new NotSupportedException($"The outbox stores concrete message classes only; {t} is not one.")
            : $"{t.FullName}, {t.Assembly.GetName().Name}");
    }

    /// <summary>
    /// The order a message belongs to (its <c>OrderId</c> property), sent as the correlation id: every message of one
    /// order carries the same one, whichever saga or activity sent it.
    /// </summary>
    public static Guid? OrderIdOf(object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return OrderIds.GetOrAdd(message.GetType(), type =>
            type.GetProperty("OrderId") is { } property && property.PropertyType == typeof(Guid) ? m => (Guid)property.GetValue(m)! : _ => null)(message);
    }

    private static readonly ConcurrentDictionary<Type, Func<object, Guid?>> OrderIds = new();

    public static Type Resolve(string name) =>
        Types.GetOrAdd(name, n => Type.GetType(n, throwOnError: true)!);

    /// <summary>
    /// The W3C trace context of the span that wrote the row (an HTTP request, a consumed message), kept with the row so
    /// that its delivery, however much later and on whichever instance, continues the same trace.
    /// </summary>
    public const string TraceParentHeader = "traceparent";

    public static string? SerializeHeaders(SendHeaders? headers, Activity? writer)
    {
        var values = (headers?.GetAll() ?? [])
            .Where(h => !TransportHeaders.Contains(h.Key) && h.Value is string or bool or int or long or Guid)
            .ToDictionary(h => h.Key, h => h.Value.ToString()!);
        if (writer?.IdFormat == ActivityIdFormat.W3C && writer.Id is { } traceParent)
        {
            values[TraceParentHeader] = traceParent;
        }

        return values.Count == 0 ? null : JsonSerializer.Serialize(values, Json);
    }

    public static IReadOnlyDictionary<string, string> DeserializeHeaders(string? headers) =>
        headers is null ? new Dictionary<string, string>() : JsonSerializer.Deserialize<Dictionary<string, string>>(headers, Json)!;
}
