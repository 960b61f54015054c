using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence.Slots;

internal sealed class DeliverySlotConfiguration : IEntityTypeConfiguration<DeliverySlot>
{
    public void Configure(EntityTypeBuilder<DeliverySlot> builder)
    {
        builder.ToTable("delivery_slots");
        builder.HasKey(x => x.SlotId);
        builder.Property(x => x.StoreId).HasMaxLength(32);
        builder.HasIndex(x => new { x.StoreId, x.WindowStart }).IsUnique();
    }
}
