using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence.Orders;

internal sealed class OrderRequestConfiguration : IEntityTypeConfiguration<OrderRequest>
{
    public void Configure(EntityTypeBuilder<OrderRequest> builder)
    {
        builder.ToTable("order_requests");
        builder.HasKey(x => x.OrderId);
        builder.Property(x => x.OrderId).ValueGeneratedNever();
        builder.Property(x => x.CustomerId).HasMaxLength(64);
        builder.Property(x => x.IdempotencyKey).HasMaxLength(128);
        builder.Property(x => x.RequestHash).HasMaxLength(64);
        builder.Property(x => x.StoreId).HasMaxLength(32);
        builder.Property(x => x.Currency).HasMaxLength(3);
        builder.Property(x => x.PaymentProvider).HasMaxLength(32);
        builder.Property(x => x.Lines).HasJsonConversion();
        builder.Property(x => x.DeliveryAddress).HasMaxLength(OrderToPlace.MaxAddress);
        builder.Property(x => x.DeliveryPhone).HasMaxLength(16);
        builder.Property(x => x.DeliveryNotes).HasMaxLength(OrderToPlace.MaxNotes);
        builder.Property(x => x.Language).HasMaxLength(2);
        // A key is the customer's own: another customer's same key is another order.
        builder.HasIndex(x => new { x.CustomerId, x.IdempotencyKey }).IsUnique();
        // The orders list pages by acceptance time, newest first.
        builder.HasIndex(x => x.CreatedAt);
    }
}
