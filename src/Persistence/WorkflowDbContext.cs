using System.Text;
using Grocery.Workflows.Messaging;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Catalog;
using Grocery.Workflows.Persistence.Jobs;
using Grocery.Workflows.Persistence.Orders;
using Grocery.Workflows.Persistence.Payments;
using Grocery.Workflows.Persistence.Sagas;
using Grocery.Workflows.Persistence.Slots;
using Grocery.Workflows.Persistence.Stock;
using Grocery.Workflows.Persistence.Telemetry;
using Grocery.Workflows.Persistence.Timeline;
using Grocery.Workflows.Sagas;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Grocery.Workflows.Persistence;

/// <summary>
/// The engine's database: the messaging tables of <see cref="MessagingDbContext"/>, one table per saga type, the saga
/// timeline, the stock ledger and slot capacity, the catalogue, payments, jobs and the audit trail; and the key ring
/// that protects the ops console's cookies and forms, shared by every instance. Each provider has its own subclass so
/// that each has its own migrations.
/// </summary>
public abstract class WorkflowDbContext : MessagingDbContext, IDataProtectionKeyContext
{
    private WorkflowDbPayload? _sagaPipePayload;

    protected WorkflowDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<SagaTimelineEntry> Timeline => Set<SagaTimelineEntry>();
    public DbSet<StockBalance> StockBalances => Set<StockBalance>();
    public DbSet<StockLedgerEntry> StockLedger => Set<StockLedgerEntry>();
    public DbSet<StockReservation> StockReservations => Set<StockReservation>();
    public DbSet<DeliverySlot> DeliverySlots => Set<DeliverySlot>();
    public DbSet<SlotHold> SlotHolds => Set<SlotHold>();
    public DbSet<Store> Stores => Set<Store>();
    public DbSet<Product> Products => Set<Product>();
    public DbSet<SlotTemplate> SlotTemplates => Set<SlotTemplate>();
    public DbSet<OrderRequest> OrderRequests => Set<OrderRequest>();
    public DbSet<StoreClosure> StoreClosures => Set<StoreClosure>();
    public DbSet<StockCount> StockCounts => Set<StockCount>();
    public DbSet<JobRun> JobRuns => Set<JobRun>();
    public DbSet<PaymentLedgerRow> PaymentLedger => Set<PaymentLedgerRow>();
    public DbSet<ProviderEvent> ProviderEvents => Set<ProviderEvent>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();

    /// <summary>ASP.NET Core's data protection keys: a cookie one instance issued is read by every other one.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>The timeline observer finds the message's context, and so its transaction, by this payload.</summary>
    protected override object SagaPipePayload => _sagaPipePayload ??= new WorkflowDbPayload(this);

    protected override void MessageCommitted() => SagaMetrics.Committed(this);

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        RefuseToRewriteTheAuditTrail();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        RefuseToRewriteTheAuditTrail();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>
    /// The audit trail is only ever appended to: an entry marked changed or removed stops the save before any SQL is
    /// sent. A property changed on a tracked entry is caught by SaveChanges itself (every property throws when modified
    /// after save), and ExecuteUpdate/ExecuteDelete by the database's trigger.
    /// </summary>
    private void RefuseToRewriteTheAuditTrail()
    {
        // Reading the states must not scan every tracked entity for changes: SaveChanges does that once right after.
        var detect = ChangeTracker.AutoDetectChangesEnabled;
        ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            var rewritten = ChangeTracker.Entries<AuditEntry>().FirstOrDefault(e => e.State is EntityState.Modified or EntityState.Deleted);
            if (rewritten is not null)
            {
                throw new InvalidOperationException(
                    $"audit_log is append-only: audit entry {rewritten.Entity.Id} cannot be {(rewritten.State == EntityState.Deleted ? "deleted" : "changed")}.");
            }
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = detect;
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);

        SagaTables.Map(modelBuilder);

        // The messaging tables, then every other entity's configuration, each beside its entity.
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(WorkflowDbContext).Assembly);

        SnakeCaseColumns(modelBuilder);
    }

    private static void SnakeCaseColumns(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
            }
        }
    }

    internal static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(name[i]));
        }

        return text.ToString();
    }
}

/// <summary>The key ring's table.</summary>
internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> builder) => builder.ToTable("data_protection_keys");
}
