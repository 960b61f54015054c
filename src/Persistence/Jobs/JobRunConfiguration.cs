using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence.Jobs;

internal sealed class JobRunConfiguration : IEntityTypeConfiguration<JobRun>
{
    public void Configure(EntityTypeBuilder<JobRun> builder)
    {
        builder.ToTable("job_runs");
        builder.HasKey(x => x.RunId);
        builder.Property(x => x.JobName).HasMaxLength(64);
        builder.Property(x => x.StoreId).HasMaxLength(32);
        builder.Property(x => x.TimeZone).HasMaxLength(64);
        builder.Property(x => x.Instance).HasMaxLength(128);
        builder.Property(x => x.Error).HasMaxLength(2000);
        builder.HasIndex(x => new { x.JobName, x.RequestedAt });
        // One active run per job, whichever instance or person asked for it.
        builder.HasIndex(x => x.JobName).IsUnique().HasFilter("status IN ('Queued', 'Running')").HasDatabaseName("ix_job_runs_one_active");
    }
}
