using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence.Catalog;

internal sealed class StoreClosureConfiguration : IEntityTypeConfiguration<StoreClosure>
{
    public void Configure(EntityTypeBuilder<StoreClosure> builder)
    {
        builder.ToTable("store_closures");
        builder.HasKey(x => new { x.StoreId, x.Date });
        builder.Property(x => x.StoreId).HasMaxLength(32);
        builder.Property(x => x.Reason).HasMaxLength(200);
    }
}
