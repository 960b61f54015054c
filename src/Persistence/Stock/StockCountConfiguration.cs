using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence.Stock;

internal sealed class StockCountConfiguration : IEntityTypeConfiguration<StockCount>
{
    public void Configure(EntityTypeBuilder<StockCount> builder)
    {
        builder.ToTable("stock_counts");
        builder.HasKey(x => new { x.StoreId, x.Sku });
        builder.Property(x => x.StoreId).HasMaxLength(32);
        builder.Property(x => x.Sku).HasMaxLength(64);
    }
}
