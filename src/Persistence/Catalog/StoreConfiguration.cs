using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence.Catalog;

internal sealed class StoreConfiguration : IEntityTypeConfiguration<Store>
{
    public void Configure(EntityTypeBuilder<Store> builder)
    {
        builder.ToTable("stores");
        builder.HasKey(x => x.StoreId);
        builder.Property(x => x.StoreId).HasMaxLength(32);
        builder.Property(x => x.Name).HasMaxLength(128);
        builder.Property(x => x.City).HasMaxLength(64);
        builder.Property(x => x.TimeZone).HasMaxLength(64);
        builder.Property(x => x.Currency).HasMaxLength(3);
        builder.Property(x => x.PriceFactor).HasPrecision(18, 6);
        builder.Property(x => x.Address).HasMaxLength(256);
        builder.Property(x => x.Phone).HasMaxLength(16);
    }
}
