using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence.Notifications;

/// <summary>A notification to a customer: what they were told, the CloudEvent that carried it, and whether the notification service took it.</summary>
public sealed class NotificationRow
{
    public string EventId { get; set; } = "";
    public Guid OrderId { get; set; }
    public string CustomerId { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Language { get; set; } = "";
    public string Title { get; set; } = "";
    public string Text { get; set; } = "";
    public string? Link { get; set; }
    public string CloudEvent { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>False on the embedded default: written to the log and kept here only.</summary>
    public bool Posted { get; set; }

    /// <summary>When the notification service answered 2xx; null while it waits or fails.</summary>
    public DateTimeOffset? SentAt { get; set; }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<NotificationRow>
{
    public void Configure(EntityTypeBuilder<NotificationRow> builder)
    {
        builder.ToTable("notifications");
        builder.HasKey(x => x.EventId);
        builder.Property(x => x.EventId).HasMaxLength(128);
        builder.Property(x => x.CustomerId).HasMaxLength(64);
        builder.Property(x => x.Kind).HasMaxLength(32);
        builder.Property(x => x.Language).HasMaxLength(2);
        builder.Property(x => x.Title).HasMaxLength(128);
        builder.Property(x => x.Link).HasMaxLength(512);
        builder.HasIndex(x => new { x.OrderId, x.CreatedAt });
    }
}
