using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence.Slots;

internal sealed class SlotHoldConfiguration : IEntityTypeConfiguration<SlotHold>
{
    public void Configure(EntityTypeBuilder<SlotHold> builder)
    {
        builder.ToTable("slot_holds");
        builder.HasKey(x => x.ReservationId);
        builder.HasIndex(x => x.SlotId);
    }
}
