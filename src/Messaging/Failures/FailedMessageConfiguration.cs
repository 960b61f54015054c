using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Messaging.Failures;

internal sealed class FailedMessageConfiguration : IEntityTypeConfiguration<FailedMessage>
{
    public void Configure(EntityTypeBuilder<FailedMessage> builder)
    {
        builder.ToTable("failed_messages");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.MessageType).HasMaxLength(256);
        builder.Property(x => x.InputAddress).HasMaxLength(512);
        builder.Property(x => x.ExceptionType).HasMaxLength(256);
        builder.HasIndex(x => x.FailedAt);
        builder.HasIndex(x => x.OrderId);
        builder.HasIndex(x => x.MessageId);
        // Two replays of one failure at once: the second finds the count moved and is refused.
        builder.Property(x => x.ReplayCount).IsConcurrencyToken();
    }
}
