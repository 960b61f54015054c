using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Messaging.Outbox;

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("outbox_messages");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.MessageType).HasMaxLength(256);
        builder.Property(x => x.DestinationAddress).HasMaxLength(512);
        builder.Property(x => x.SourceAddress).HasMaxLength(512);
        // The dispatcher's claim: due rows in commit order.
        builder.HasIndex(x => new { x.DueAt, x.Id });
        // Unscheduling a deadline deletes its row by token.
        builder.HasIndex(x => x.ScheduleTokenId);
    }
}
