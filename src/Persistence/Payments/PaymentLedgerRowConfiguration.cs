using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence.Payments;

internal sealed class PaymentLedgerRowConfiguration : IEntityTypeConfiguration<PaymentLedgerRow>
{
    public void Configure(EntityTypeBuilder<PaymentLedgerRow> builder)
    {
        builder.ToTable("payment_ledger");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Provider).HasMaxLength(32);
        builder.Property(x => x.ProviderId).HasMaxLength(128);
        builder.Property(x => x.ParentId).HasMaxLength(128);
        builder.Property(x => x.Currency).HasMaxLength(3);
        // A note may be an e-wallet's approval URL, which carries a token of its own.
        builder.Property(x => x.Note).HasMaxLength(2000);
        builder.HasIndex(x => new { x.OrderId, x.Kind, x.ProviderId }).IsUnique();
    }
}
