using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence.Audit;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        // Append-only: the migrations add a trigger that rejects UPDATE and DELETE (SQLite drops a table's triggers
        // when a migration rebuilds it: such a migration must create them again).
        builder.ToTable("audit_log");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Subject).HasMaxLength(AuditTrail.SubjectLength);
        builder.Property(x => x.Name).HasMaxLength(AuditTrail.NameLength);
        builder.Property(x => x.Roles).HasMaxLength(AuditTrail.RolesLength);
        builder.Property(x => x.Action).HasMaxLength(AuditTrail.ActionLength);
        builder.Property(x => x.Target).HasMaxLength(AuditTrail.TargetLength);
        builder.Property(x => x.StoreId).HasMaxLength(AuditTrail.StoreIdLength);
        builder.Property(x => x.Parameters).HasMaxLength(AuditTrail.ParametersLength);
        builder.Property(x => x.Outcome).HasMaxLength(AuditTrail.OutcomeLength);
        builder.Property(x => x.TraceId).HasMaxLength(AuditTrail.TraceIdLength);
        foreach (var property in builder.Metadata.GetProperties())
        {
            property.SetAfterSaveBehavior(PropertySaveBehavior.Throw);
        }

        // The list pages by id, newest first (the primary key, read backwards); each filter keeps that order.
        builder.HasIndex(x => new { x.Action, x.Id });
        builder.HasIndex(x => new { x.Subject, x.Id });
        builder.HasIndex(x => new { x.Target, x.Id });
        builder.HasIndex(x => new { x.StoreId, x.Id });
        builder.HasIndex(x => x.At);
    }
}
