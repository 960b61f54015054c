using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence.Catalog;

internal sealed class SlotTemplateConfiguration : IEntityTypeConfiguration<SlotTemplate>
{
    public void Configure(EntityTypeBuilder<SlotTemplate> builder)
    {
        builder.ToTable("slot_templates");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.StoreId).HasMaxLength(32);
        builder.HasIndex(x => new { x.StoreId, x.DayOfWeek, x.LocalStart }).IsUnique();
    }
}
