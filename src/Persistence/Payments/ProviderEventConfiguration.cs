using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence.Payments;

internal sealed class ProviderEventConfiguration : IEntityTypeConfiguration<ProviderEvent>
{
    public void Configure(EntityTypeBuilder<ProviderEvent> builder)
    {
        builder.ToTable("provider_events");
        builder.HasKey(x => new { x.Provider, x.EventId });
        builder.Property(x => x.Provider).HasMaxLength(32);
        builder.Property(x => x.EventId).HasMaxLength(128);
        builder.Property(x => x.EventType).HasMaxLength(64);
        builder.HasIndex(x => x.ReceivedAt);
    }
}
