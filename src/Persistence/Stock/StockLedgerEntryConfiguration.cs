using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence.Stock;

internal sealed class StockLedgerEntryConfiguration : IEntityTypeConfiguration<StockLedgerEntry>
{
    public void Configure(EntityTypeBuilder<StockLedgerEntry> builder)
    {
        builder.ToTable("stock_ledger");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.StoreId).HasMaxLength(32);
        builder.Property(x => x.Sku).HasMaxLength(64);
        builder.Property(x => x.Note).HasMaxLength(256);
        builder.HasIndex(x => new { x.StoreId, x.Sku, x.Id });
        builder.HasIndex(x => x.OrderId);
    }
}
