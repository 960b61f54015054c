using System.Text;
using System.Text.Json;
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
using Grocery.Workflows.Sagas;
using Grocery.Workflows.Sagas.Delivery;
using Grocery.Workflows.Sagas.Orders;
using Grocery.Workflows.Sagas.Picking;
using Grocery.Workflows.Sagas.Slots;
using Grocery.Workflows.Sagas.Substitutions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Grocery.Workflows.Persistence;

/// <summary>
/// The engine's database: the messaging tables of <see cref="MessagingDbContext"/>, one table per saga type, the saga
/// timeline, the stock ledger and slot capacity, the catalogue, payments, jobs and the audit trail. Each provider has
/// its own subclass so that each has its own migrations.
/// </summary>
public abstract class WorkflowDbContext : MessagingDbContext
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
            foreach (var entry in ChangeTracker.Entries<AuditEntry>())
            {
                if (entry.State is EntityState.Modified or EntityState.Deleted)
                {
                    throw new InvalidOperationException(
                        $"audit_log is append-only: audit entry {entry.Entity.Id} cannot be {(entry.State == EntityState.Deleted ? "deleted" : "changed")}.");
                }
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

        Saga<OrderState>(modelBuilder, "order_sagas", e =>
        {
            e.Property(x => x.CustomerId).HasMaxLength(64);
            e.Property(x => x.StoreId).HasMaxLength(32);
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Property(x => x.PaymentProvider).HasMaxLength(32);
            e.Property(x => x.PaymentToken).HasMaxLength(256);
            e.Property(x => x.Lines).HasJsonConversion();
            e.Property(x => x.PickedLines).HasJsonConversion();
        });
        Saga<SlotReservationState>(modelBuilder, "slot_reservation_sagas", e =>
        {
            e.Property(x => x.StoreId).HasMaxLength(32);
            e.HasIndex(x => x.OrderId);
        });
        Saga<PickingState>(modelBuilder, "picking_sagas", e =>
        {
            e.Property(x => x.StoreId).HasMaxLength(32);
            e.Property(x => x.Lines).HasJsonConversion();
            e.Property(x => x.Reports).HasJsonConversion();
            e.Property(x => x.PickedLines).HasJsonConversion();
        });
        Saga<SubstitutionState>(modelBuilder, "substitution_sagas", e =>
        {
            e.Property(x => x.Lines).HasJsonConversion();
            e.Property(x => x.Decisions).HasJsonConversion();
            e.HasIndex(x => x.OrderId);
        });
        Saga<DeliveryState>(modelBuilder, "delivery_sagas", e => e.Property(x => x.StoreId).HasMaxLength(32));

        // The messaging tables (outbox, inbox, failed messages).
        base.OnModelCreating(modelBuilder);

        modelBuilder.Entity<SagaTimelineEntry>(e =>
        {
            e.ToTable("saga_timeline");
            e.HasKey(x => x.Id);
            e.Property(x => x.SagaType).HasMaxLength(64);
            e.Property(x => x.FromState).HasMaxLength(64);
            e.Property(x => x.ToState).HasMaxLength(64);
            e.Property(x => x.Event).HasMaxLength(128);
            e.Property(x => x.HostInstance).HasMaxLength(128);
            e.HasIndex(x => new { x.OrderId, x.Id });
            e.HasIndex(x => new { x.SagaType, x.CorrelationId, x.Id });
        });
        modelBuilder.Entity<StockBalance>(e =>
        {
            e.ToTable("stock_balances");
            e.HasKey(x => new { x.StoreId, x.Sku });
            e.Property(x => x.StoreId).HasMaxLength(32);
            e.Property(x => x.Sku).HasMaxLength(64);
        });
        modelBuilder.Entity<StockLedgerEntry>(e =>
        {
            e.ToTable("stock_ledger");
            e.HasKey(x => x.Id);
            e.Property(x => x.StoreId).HasMaxLength(32);
            e.Property(x => x.Sku).HasMaxLength(64);
            e.Property(x => x.Note).HasMaxLength(256);
            e.HasIndex(x => new { x.StoreId, x.Sku, x.Id });
            e.HasIndex(x => x.OrderId);
        });
        modelBuilder.Entity<StockReservation>(e =>
        {
            e.ToTable("stock_reservations");
            e.HasKey(x => new { x.OrderId, x.Sku });
            e.Property(x => x.StoreId).HasMaxLength(32);
            e.Property(x => x.Sku).HasMaxLength(64);
        });
        modelBuilder.Entity<DeliverySlot>(e =>
        {
            e.ToTable("delivery_slots");
            e.HasKey(x => x.SlotId);
            e.Property(x => x.StoreId).HasMaxLength(32);
            e.HasIndex(x => new { x.StoreId, x.WindowStart }).IsUnique();
        });
        modelBuilder.Entity<SlotHold>(e =>
        {
            e.ToTable("slot_holds");
            e.HasKey(x => x.ReservationId);
            e.HasIndex(x => x.SlotId);
        });

        modelBuilder.Entity<Store>(e =>
        {
            e.ToTable("stores");
            e.HasKey(x => x.StoreId);
            e.Property(x => x.StoreId).HasMaxLength(32);
            e.Property(x => x.Name).HasMaxLength(128);
            e.Property(x => x.City).HasMaxLength(64);
            e.Property(x => x.TimeZone).HasMaxLength(64);
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Property(x => x.PriceFactor).HasPrecision(18, 6);
        });
        modelBuilder.Entity<Product>(e =>
        {
            e.ToTable("products");
            e.HasKey(x => x.Sku);
            e.Property(x => x.Sku).HasMaxLength(64);
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.Category).HasMaxLength(64);
            e.HasIndex(x => x.Name);
            e.HasIndex(x => new { x.Category, x.Sku });
        });
        modelBuilder.Entity<SlotTemplate>(e =>
        {
            e.ToTable("slot_templates");
            e.HasKey(x => x.Id);
            e.Property(x => x.StoreId).HasMaxLength(32);
            e.HasIndex(x => new { x.StoreId, x.DayOfWeek, x.LocalStart }).IsUnique();
        });
        modelBuilder.Entity<OrderRequest>(e =>
        {
            e.ToTable("order_requests");
            e.HasKey(x => x.OrderId);
            e.Property(x => x.OrderId).ValueGeneratedNever();
            e.Property(x => x.CustomerId).HasMaxLength(64);
            e.Property(x => x.IdempotencyKey).HasMaxLength(128);
            e.Property(x => x.RequestHash).HasMaxLength(64);
            e.Property(x => x.StoreId).HasMaxLength(32);
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Property(x => x.PaymentProvider).HasMaxLength(32);
            e.Property(x => x.Lines).HasJsonConversion();
            // A key is the customer's own: another customer's same key is another order.
            e.HasIndex(x => new { x.CustomerId, x.IdempotencyKey }).IsUnique();
            // The orders list pages by acceptance time, newest first.
            e.HasIndex(x => x.CreatedAt);
        });

        modelBuilder.Entity<StoreClosure>(e =>
        {
            e.ToTable("store_closures");
            e.HasKey(x => new { x.StoreId, x.Date });
            e.Property(x => x.StoreId).HasMaxLength(32);
            e.Property(x => x.Reason).HasMaxLength(200);
        });
        modelBuilder.Entity<StockCount>(e =>
        {
            e.ToTable("stock_counts");
            e.HasKey(x => new { x.StoreId, x.Sku });
            e.Property(x => x.StoreId).HasMaxLength(32);
            e.Property(x => x.Sku).HasMaxLength(64);
        });
        modelBuilder.Entity<JobRun>(e =>
        {
            e.ToTable("job_runs");
            e.HasKey(x => x.RunId);
            e.Property(x => x.JobName).HasMaxLength(64);
            e.Property(x => x.StoreId).HasMaxLength(32);
            e.Property(x => x.TimeZone).HasMaxLength(64);
            e.Property(x => x.Instance).HasMaxLength(128);
            e.Property(x => x.Error).HasMaxLength(2000);
            e.HasIndex(x => new { x.JobName, x.RequestedAt });
            // One active run per job, whichever instance or person asked for it.
            e.HasIndex(x => x.JobName).IsUnique().HasFilter("status IN ('Queued', 'Running')").HasDatabaseName("ix_job_runs_one_active");
        });
        modelBuilder.Entity<PaymentLedgerRow>(e =>
        {
            e.ToTable("payment_ledger");
            e.HasKey(x => x.Id);
            e.Property(x => x.Provider).HasMaxLength(32);
            e.Property(x => x.ProviderId).HasMaxLength(128);
            e.Property(x => x.ParentId).HasMaxLength(128);
            e.Property(x => x.Currency).HasMaxLength(3);
            // A note may be an e-wallet's approval URL, which carries a token of its own.
            e.Property(x => x.Note).HasMaxLength(2000);
            e.HasIndex(x => new { x.OrderId, x.Kind, x.ProviderId }).IsUnique();
        });
        modelBuilder.Entity<ProviderEvent>(e =>
        {
            e.ToTable("provider_events");
            e.HasKey(x => new { x.Provider, x.EventId });
            e.Property(x => x.Provider).HasMaxLength(32);
            e.Property(x => x.EventId).HasMaxLength(128);
            e.Property(x => x.EventType).HasMaxLength(64);
            e.HasIndex(x => x.ReceivedAt);
        });
        modelBuilder.Entity<AuditEntry>(e =>
        {
            // Append-only: the migrations add a trigger that rejects UPDATE and DELETE (SQLite drops a table's triggers
            // when a migration rebuilds it: such a migration must create them again).
            e.ToTable("audit_log");
            e.HasKey(x => x.Id);
            e.Property(x => x.Subject).HasMaxLength(AuditTrail.SubjectLength);
            e.Property(x => x.Name).HasMaxLength(AuditTrail.NameLength);
            e.Property(x => x.Roles).HasMaxLength(AuditTrail.RolesLength);
            e.Property(x => x.Action).HasMaxLength(AuditTrail.ActionLength);
            e.Property(x => x.Target).HasMaxLength(AuditTrail.TargetLength);
            e.Property(x => x.StoreId).HasMaxLength(AuditTrail.StoreIdLength);
            e.Property(x => x.Parameters).HasMaxLength(AuditTrail.ParametersLength);
            e.Property(x => x.Outcome).HasMaxLength(AuditTrail.OutcomeLength);
            e.Property(x => x.TraceId).HasMaxLength(AuditTrail.TraceIdLength);
            foreach (var property in e.Metadata.GetProperties())
            {
                property.SetAfterSaveBehavior(PropertySaveBehavior.Throw);
            }

            // The list pages by id, newest first (the primary key, read backwards); each filter keeps that order.
            e.HasIndex(x => new { x.Action, x.Id });
            e.HasIndex(x => new { x.Subject, x.Id });
            e.HasIndex(x => new { x.Target, x.Id });
            e.HasIndex(x => new { x.StoreId, x.Id });
            e.HasIndex(x => x.At);
        });

        SnakeCaseColumns(modelBuilder);
    }

    private static void Saga<TSaga>(ModelBuilder modelBuilder, string table, Action<EntityTypeBuilder<TSaga>> configure)
        where TSaga : class, IGrocerySagaState
    {
        modelBuilder.Entity<TSaga>(e =>
        {
            e.ToTable(table);
            e.HasKey(x => x.CorrelationId);
            e.Property(x => x.CorrelationId).ValueGeneratedNever();
            e.Property(x => x.CurrentState).HasMaxLength(64);
            e.Property(x => x.Version).IsConcurrencyToken();
            e.Property<DateTimeOffset>(UpdatedAt);
            e.Property<DateTimeOffset>(StateEnteredAt);
            e.HasIndex(nameof(IGrocerySagaState.CurrentState), StateEnteredAt);
            configure(e);
        });
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

/// <summary>The embedded default: a file under the working directory's data/.</summary>
public sealed class SqliteWorkflowDbContext(DbContextOptions<SqliteWorkflowDbContext> options) : WorkflowDbContext(options)
{
    public override bool SupportsSkipLocked => false;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        // SQLite has no time type: UTC ticks keep the order, so deadlines and "time in state" can be compared in SQL.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
    }
}

/// <summary>The production store.</summary>
public sealed class PostgresWorkflowDbContext(DbContextOptions<PostgresWorkflowDbContext> options) : WorkflowDbContext(options)
{
    public override bool SupportsSkipLocked => true;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        // timestamptz takes UTC only.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcConverter>();
    }
}

internal sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
    v => v.UtcTicks,
    v => new DateTimeOffset(v, TimeSpan.Zero));

internal sealed class UtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(
    v => v.ToUniversalTime(),
    v => v);

internal static class JsonColumns
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <summary>Stores a list of records as one JSON text column, compared by content.</summary>
    public static PropertyBuilder<List<T>> HasJsonConversion<T>(this PropertyBuilder<List<T>> property) =>
        property.HasConversion(
            new ValueConverter<List<T>, string>(
                v => JsonSerializer.Serialize(v, Options),
                v => JsonSerializer.Deserialize<List<T>>(v, Options) ?? new List<T>()),
            new ValueComparer<List<T>>(
                (a, b) => JsonSerializer.Serialize(a, Options) == JsonSerializer.Serialize(b, Options),
                v => JsonSerializer.Serialize(v, Options).GetHashCode(StringComparison.Ordinal),
                v => JsonSerializer.Deserialize<List<T>>(JsonSerializer.Serialize(v, Options), Options)!));
}
