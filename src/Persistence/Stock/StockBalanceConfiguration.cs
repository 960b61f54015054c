using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence.Stock;

internal sealed class StockBalanceConfiguration : IEntityTypeConfiguration<StockBalance>
{
    public void Configure(EntityTypeBuilder<StockBalance> builder)
    {
        builder.ToTable("stock_balances");
        builder.HasKey(x => new { x.StoreId, x.Sku });
        builder.Property(x => x.StoreId).HasMaxLength(32);
        builder.Property(x => x.Sku).HasMaxLength(64);
    }
}
