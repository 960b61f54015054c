using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Grocery.Workflows.Api;

/// <summary>
/// A member of a request body as the client sent it: left out (<see cref="IsSent"/> false), sent with a value of its
/// type, or sent with anything else (null, another JSON type, an object with a member it does not know). Binding never
/// stops at it, so that a request's validation names every wrong field at once, as the engine's answers always have.
/// </summary>
[JsonConverter(typeof(SentConverter))]
public readonly record struct Sent<T>(bool IsSent, bool HasValue, T? Value)
{
    public bool TryGet([MaybeNullWhen(false)] out T value)
    {
        value = Value!;
        return HasValue;
    }
}

/// <summary>Reads a <see cref="Sent{T}"/>: the value by the options' rules, or the fact that it did not fit them.</summary>
public sealed class SentConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert)
    {
        ArgumentNullException.ThrowIfNull(typeToConvert);
        return typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Sent<>);
    }

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(typeToConvert);
        return (JsonConverter)Activator.CreateInstance(typeof(Of<>).MakeGenericType(typeToConvert.GetGenericArguments()))!;
    }

    private sealed class Of<T> : JsonConverter<Sent<T>>
    {
        public override bool HandleNull => true;

        public override Sent<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return new Sent<T>(IsSent: true, HasValue: false, default);
            }

            // The whole value is buffered before a converter is called, so a failed read can start over and skip it.
            var start = reader;
            try
            {
                return new Sent<T>(IsSent: true, HasValue: true, JsonSerializer.Deserialize<T>(ref reader, options));
            }
            catch (JsonException)
            {
                reader = start;
                reader.Skip();
                return new Sent<T>(IsSent: true, HasValue: false, default);
            }
        }

        public override void Write(Utf8JsonWriter writer, Sent<T> value, JsonSerializerOptions options) =>
            throw new NotSupportedException("Sent<T> reads requests; it is never written.");
    }
}
