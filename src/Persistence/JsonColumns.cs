using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Grocery.Workflows.Persistence;

internal static class JsonColumns
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Stores a list of immutable records as one JSON text column, compared by content: the records' own value equality,
    /// element by element, and a shallow copy as the change tracker's snapshot (the records never change in place). JSON
    /// is written and read only on the way to and from the database; comparing by serializing both sides cost two
    /// serializations per list on every change detection, and the snapshot a third and a parse on every load.
    /// </summary>
    public static PropertyBuilder<List<T>> HasJsonConversion<T>(this PropertyBuilder<List<T>> property)
        where T : IEquatable<T> =>
        property.HasConversion(
            new ValueConverter<List<T>, string>(
                v => JsonSerializer.Serialize(v, Options),
                v => JsonSerializer.Deserialize<List<T>>(v, Options) ?? new List<T>()),
            new ValueComparer<List<T>>(
                (a, b) => a == null ? b == null : b != null && a.SequenceEqual(b),
                v => v.Aggregate(0, (hash, item) => HashCode.Combine(hash, item)),
                v => v.ToList()));
}
