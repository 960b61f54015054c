using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence.Catalog;

internal sealed class ProductConfiguration : IEntityTypeConfiguration<Product>
{
    public void Configure(EntityTypeBuilder<Product> builder)
    {
        builder.ToTable("products");
        builder.HasKey(x => x.Sku);
        builder.Property(x => x.Sku).HasMaxLength(64);
        builder.Property(x => x.Name).HasMaxLength(200);
        builder.Property(x => x.NameVi).HasMaxLength(200);
        // Indexed outside the model, by each provider's own full-text index: see ProductSearch.
        builder.Property(x => x.SearchText).HasMaxLength(500);
        builder.Property(x => x.Category).HasMaxLength(64);
        builder.HasIndex(x => x.Name);
        builder.HasIndex(x => new { x.Category, x.Sku });
    }
}
