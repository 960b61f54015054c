using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence.Timeline;

internal sealed class SagaTimelineEntryConfiguration : IEntityTypeConfiguration<SagaTimelineEntry>
{
    public void Configure(EntityTypeBuilder<SagaTimelineEntry> builder)
    {
        builder.ToTable("saga_timeline");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.SagaType).HasMaxLength(64);
        builder.Property(x => x.FromState).HasMaxLength(64);
        builder.Property(x => x.ToState).HasMaxLength(64);
        builder.Property(x => x.Event).HasMaxLength(128);
        builder.Property(x => x.HostInstance).HasMaxLength(128);
        builder.HasIndex(x => new { x.OrderId, x.Id });
        builder.HasIndex(x => new { x.SagaType, x.CorrelationId, x.Id });
    }
}
