using Grocery.Workflows.Consumers.Delivery;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence.Delivery;

/// <summary>
/// A courier booked for an order's attempt: where it is at the provider, as last reported. A report is applied only
/// when newer than <see cref="StatusAt"/>, so an update that arrives late never takes the booking back.
/// </summary>
public sealed class CourierBookingRow
{
    public Guid OrderId { get; set; }
    public int Attempt { get; set; }
    public string Provider { get; set; } = "";
    public string DeliveryId { get; set; } = "";
    public CourierStatus Status { get; set; }
    public DateTimeOffset StatusAt { get; set; }
    public string? Courier { get; set; }
    public string? TrackingUrl { get; set; }
    public long? Fee { get; set; }
    public string? Currency { get; set; }
    public DateTimeOffset BookedAt { get; set; }

    /// <summary>The engine cancelled it: the provider's report of that cancellation tells the saga nothing.</summary>
    public bool CancelledByEngine { get; set; }

    /// <summary>The courier had the parcel at some point: a failure after that is a failed drop-off, not a missing courier.</summary>
    public bool PickedUp { get; set; }
}

internal sealed class CourierBookingConfiguration : IEntityTypeConfiguration<CourierBookingRow>
{
    public void Configure(EntityTypeBuilder<CourierBookingRow> builder)
    {
        builder.ToTable("courier_bookings");
        builder.HasKey(x => new { x.OrderId, x.Attempt });
        builder.Property(x => x.Provider).HasMaxLength(32);
        builder.Property(x => x.DeliveryId).HasMaxLength(64);
        builder.Property(x => x.Courier).HasMaxLength(128);
        builder.Property(x => x.TrackingUrl).HasMaxLength(512);
        builder.Property(x => x.Currency).HasMaxLength(3);
        builder.HasIndex(x => new { x.Provider, x.DeliveryId }).IsUnique();
    }
}
