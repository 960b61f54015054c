using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Consumers.Slots;
using Grocery.Workflows.Consumers.Stock;
using Grocery.Workflows.Messaging;
using Grocery.Workflows.Messaging.Inbox;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Catalog;
using Grocery.Workflows.Persistence.Failures;
using Grocery.Workflows.Persistence.Orders;
using Grocery.Workflows.Persistence.Payments;
using Grocery.Workflows.Persistence.Sagas;
using Grocery.Workflows.Persistence.Slots;
using Grocery.Workflows.Persistence.Stock;
using Grocery.Workflows.Persistence.Substitutions;
using Grocery.Workflows.Persistence.Timeline;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Grocery.Workflows.Persistence;

public static class PersistenceRegistration
{
    private static readonly SqlitePragmas SqliteSettings = new();

    /// <summary>
    /// The DbContext for the configured provider with the <see cref="WriteGate"/> it needs, its migrations and seed, the
    /// ledgers and stores, and the timeline observer of the five state machines. Call before <c>AddMassTransit</c>, then
    /// <see cref="MessagingRegistration.AddWorkflowMessaging{TContext}"/> with <see cref="WorkflowDbContext"/>.
    /// </summary>
    public static IServiceCollection AddWorkflowPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PersistenceSettings>().BindConfiguration("Persistence").ValidateDataAnnotations().ValidateOnStart();
        var settings = configuration.GetSection("Persistence").Get<PersistenceSettings>() ?? new PersistenceSettings();
        var connectionString = configuration.GetConnectionString("Workflows");

        if (settings.Provider == PersistenceProvider.PostgreSql)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException("Persistence:Provider is PostgreSql but ConnectionStrings:Workflows is empty.");
            }

            var npgsql = new NpgsqlConnectionStringBuilder(connectionString);
            if (!HasKey(connectionString, "Maximum Pool Size", "Max Pool Size", "MaxPoolSize"))
            {
                npgsql.MaxPoolSize = settings.MaxPoolSize;
            }

            // The engine runs the same few dozen statements all day: prepared once per connection, PostgreSQL skips
            // parsing and planning them. It keeps no session state (its one advisory lock is transaction-scoped), so
            // the reset Npgsql sends when a pooled connection is reused is six statements of nothing.
            if (!HasKey(connectionString, "Max Auto Prepare", "MaxAutoPrepare"))
            {
                npgsql.MaxAutoPrepare = settings.MaxAutoPrepare;
            }

            if (!HasKey(connectionString, "No Reset On Close", "NoResetOnClose"))
            {
                npgsql.NoResetOnClose = true;
            }

            connectionString = npgsql.ConnectionString;
            // Pooled: every consumed message has its own scope and context, and building a context's services from
            // scratch cost about 6% of the engine's CPU under load (docs/performance.md).
            services.AddDbContextPool<PostgresWorkflowDbContext>((sp, o) => o.UseNpgsql(connectionString).AddInterceptors(sp.GetServices<IInterceptor>()));
            services.AddScoped<WorkflowDbContext>(sp => sp.GetRequiredService<PostgresWorkflowDbContext>());
            services.TryAddSingleton(new WriteGate(serialize: false));
        }
        else
        {
            var sqlite = string.IsNullOrWhiteSpace(connectionString)
                ? new SqliteConnectionStringBuilder { DataSource = settings.SqliteFile, DefaultTimeout = 30 }.ToString()
                : ValidSqlite(connectionString);
            services.AddDbContextPool<SqliteWorkflowDbContext>((sp, o) =>
                o.UseSqlite(sqlite).AddInterceptors(sp.GetServices<IInterceptor>().Prepend(SqliteSettings)));
            services.AddScoped<WorkflowDbContext>(sp => sp.GetRequiredService<SqliteWorkflowDbContext>());
            services.TryAddSingleton(new WriteGate(serialize: true));
        }

        services.AddScoped<IStockLedger, EfStockLedger>();
        services.AddScoped<IPaymentLedger, EfPaymentLedger>();
        services.AddScoped<ApplyProviderEvent>();
        services.AddScoped<Consumers.Delivery.ICourierBookings, Delivery.EfCourierBookings>();
        services.AddScoped<Delivery.ApplyCourierUpdate>();
        services.AddScoped<Consumers.Notifications.INotificationBook, Notifications.EfNotificationBook>();
        services.AddScoped<EfStockLedger>();
        services.AddScoped<StockCountImport>();
        services.AddScoped<PlaceOrderHandler>();
        services.AddScoped<CancelOrderHandler>();
        services.AddScoped<OrderDeadlineHandler>();
        services.AddScoped<ResendPendingCommandHandler>();
        services.AddScoped<DecideSubstitutionsHandler>();
        services.AddScoped<ReplayFailureHandler>();
        services.AddScoped<CloseStoreDayHandler>();
        services.AddScoped<ReopenStoreDayHandler>();
        services.TryAddSingleton<AuditTrail>();
        services.TryAddScoped<ISlotCapacity, EfSlotCapacity>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IDeduplicationTable, ProviderEventRetention>();
        services.TryAddSingleton<StartupLock>();
        services.AddHostedService<DatabaseMigrator>();
        services.AddCatalogSeed();
        // After the migrations, before the bus: a saga instance in a state this version does not know stops the start.
        services.AddHostedService<StoredStateCheck>();

        services.AddHostedService<SagaTimelineConnector>();
        return services;
    }

    private static bool HasKey(string connectionString, params string[] names)
    {
        var parsed = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        return Array.Exists(names, parsed.ContainsKey);
    }

    private static string ValidSqlite(string connectionString)
    {
        try
        {
            return new SqliteConnectionStringBuilder(connectionString).ToString();
        }
        catch (ArgumentException exception)
        {
            throw new InvalidOperationException(
                "Persistence:Provider is Sqlite but ConnectionStrings:Workflows is not a SQLite connection string " +
                "(set Persistence:Provider=PostgreSql for a PostgreSQL one).", exception);
        }
    }
}
