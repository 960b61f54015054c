using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence.Stock;

internal sealed class StockReservationConfiguration : IEntityTypeConfiguration<StockReservation>
{
    public void Configure(EntityTypeBuilder<StockReservation> builder)
    {
        builder.ToTable("stock_reservations");
        builder.HasKey(x => new { x.OrderId, x.Sku });
        builder.Property(x => x.StoreId).HasMaxLength(32);
        builder.Property(x => x.Sku).HasMaxLength(64);
    }
}
