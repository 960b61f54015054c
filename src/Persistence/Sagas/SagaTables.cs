using System.Reflection;
using Grocery.Workflows.Sagas;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence.Sagas;

/// <summary>
/// One table per saga of <see cref="SagaCatalog"/>, mapped by convention so that a new saga needs no mapping code: the
/// table named by its descriptor, keyed by correlation id, its version as the concurrency token, when the row last
/// changed and since when it is in its state (shadow columns, indexed with the state for the stuck-saga queries),
/// string lengths from the state's <c>[MaxLength]</c>, every list property (of immutable records) as a JSON column,
/// and an index on <c>OrderId</c> where that is a column of its own (the sagas keyed by something else than the order).
/// </summary>
internal static class SagaTables
{
    public static void Map(ModelBuilder modelBuilder)
    {
        var mapper = new Mapper(modelBuilder);
        foreach (var saga in SagaCatalog.All)
        {
            saga.Accept(mapper);
        }
    }

    private sealed class Mapper(ModelBuilder modelBuilder) : ISagaVisitor<bool>
    {
        bool ISagaVisitor<bool>.Visit<TMachine, TState, TSettings>(SagaDescriptor saga)
        {
            modelBuilder.Entity<TState>(e =>
            {
                e.ToTable(saga.Table);
                e.HasKey(x => x.CorrelationId);
                e.Property(x => x.CorrelationId).ValueGeneratedNever();
                e.Property(x => x.CurrentState).HasMaxLength(64);
                e.Property(x => x.Version).IsConcurrencyToken();
                e.Property<DateTimeOffset>(WorkflowDbContext.UpdatedAt);
                e.Property<DateTimeOffset>(WorkflowDbContext.StateEnteredAt);
                e.HasIndex(nameof(IGrocerySagaState.CurrentState), WorkflowDbContext.StateEnteredAt);
                foreach (var property in typeof(TState).GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    if (property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(List<>))
                    {
                        JsonList.MakeGenericMethod(typeof(TState), property.PropertyType.GetGenericArguments()[0]).Invoke(null, [e, property.Name]);
                    }
                    else if (property.Name == nameof(IGrocerySagaState.OrderId) && property.CanWrite)
                    {
                        e.HasIndex(property.Name);
                    }
                }
            });
            return true;
        }

        private static readonly MethodInfo JsonList = typeof(Mapper).GetMethod(nameof(MapJsonList))!;

        // Public only so that the mapping can close it over a state's list item type.
        public static void MapJsonList<TState, TItem>(EntityTypeBuilder<TState> entity, string property)
            where TState : class
            where TItem : IEquatable<TItem> => entity.Property<List<TItem>>(property).HasJsonConversion();
    }
}
