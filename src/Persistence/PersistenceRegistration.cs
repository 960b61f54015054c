using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Consumers.Slots;
using Grocery.Workflows.Consumers.Stock;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Catalog;
using Grocery.Workflows.Persistence.Failures;
using Grocery.Workflows.Persistence.Orders;
using Grocery.Workflows.Persistence.Outbox;
using Grocery.Workflows.Persistence.Payments;
using Grocery.Workflows.Persistence.Slots;
using Grocery.Workflows.Persistence.Stock;
using Grocery.Workflows.Persistence.Substitutions;
using Grocery.Workflows.Persistence.Timeline;
using Grocery.Workflows.Persistence.Sagas;
using MassTransit;
using MassTransit.DependencyInjection;
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
    /// <summary>
    /// The DbContext for the configured provider, the outbox dispatcher, and the five state machines with the
    /// timeline observer connected. Call before <c>AddMassTransit</c>; then <see cref="UseDurableSagas"/> inside it
    /// and <see cref="UseTransactionalOutbox"/> on the bus.
    /// </summary>
    public static IServiceCollection AddWorkflowPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PersistenceSettings>().BindConfiguration("Persistence").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<OutboxSettings>().BindConfiguration("Outbox").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<InboxSettings>().BindConfiguration("Inbox").ValidateDataAnnotations().ValidateOnStart();
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
            services.AddDbContextPool<SqliteWorkflowDbContext>((sp, o) => o.UseSqlite(sqlite).AddInterceptors(sp.GetServices<IInterceptor>()));
            services.AddScoped<WorkflowDbContext>(sp => sp.GetRequiredService<SqliteWorkflowDbContext>());
            services.TryAddSingleton(new WriteGate(serialize: true));
        }

        services.AddScoped<IStockLedger, EfStockLedger>();
        services.AddScoped<IPaymentLedger, EfPaymentLedger>();
        services.AddScoped<ApplyProviderEvent>();
        services.AddScoped<EfStockLedger>();
        services.AddScoped<StockCountImport>();
        services.AddScoped<OutboxWriter>();
        services.AddScoped<UnitOfWork>();
        services.AddScoped<PlaceOrderHandler>();
        services.AddScoped<CancelOrderHandler>();
        services.AddScoped<DecideSubstitutionsHandler>();
        services.AddScoped<ReplayFailureHandler>();
        services.AddScoped<CloseStoreDayHandler>();
        services.AddScoped<ReopenStoreDayHandler>();
        services.TryAddSingleton<AuditTrail>();
        services.TryAddScoped<ISlotCapacity, EfSlotCapacity>();
        services.TryAddSingleton(TimeProvider.System);
        // What the endpoints' brief retry leaves to the bus's long one (UseTransientFailureRetry).
        services.TryAddSingleton<Predicate<Exception>>(TransientFailures.IsTransient);
        services.TryAddSingleton<OutboxSignal>();
        services.TryAddSingleton<IConsumeScopeProvider>(sp => new ConsumeScopeProvider(sp.GetRequiredService<IBusRegistrationContext>()));
        services.TryAddSingleton<StartupLock>();
        services.AddHostedService<DatabaseMigrator>();
        services.AddCatalogSeed();

        services.AddHostedService<SagaTimelineConnector>();
        services.AddSingleton<InboxCleaner>();
        services.AddHostedService(sp => sp.GetRequiredService<InboxCleaner>());
        return services;
    }

    private static bool HasKey(string connectionString, params string[] names)
    {
        var parsed = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        return names.Any(parsed.ContainsKey);
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

    /// <summary>
    /// The outbox dispatcher. Register it after <c>AddMassTransit</c>: hosted services stop in reverse order, so the
    /// dispatcher stops before the bus and never hands a message to a bus that is shutting down.
    /// </summary>
    public static IServiceCollection AddOutboxDispatcher(this IServiceCollection services) => services.AddHostedService<OutboxDispatcher>();

    /// <summary>Every saga registered after this call keeps its instances in the database.</summary>
    public static IBusRegistrationConfigurator UseDurableSagas(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.SetSagaRepositoryProvider(new EfSagaRepositoryRegistrationProvider());
        return bus;
    }

    /// <summary>
    /// Scheduled messages (saga deadlines, simulated delays) become outbox rows with a due time, and unscheduling one
    /// deletes its row. Use instead of MassTransit's <c>UseDelayedMessageScheduler</c>, with <see cref="UseTransactionalOutbox"/>.
    /// </summary>
    public static void UseOutboxMessageScheduler(this IBusFactoryConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.UseFilter(new OutboxSchedulerFilter());
    }

    /// <summary>Every consumer and saga of the bus consumes in one transaction with inbox and outbox.</summary>
    public static void UseTransactionalOutbox(this IBusFactoryConfigurator bus, IBusRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(context);
        var observer = new TransactionalOutboxObserver(context.GetRequiredService<IConsumeScopeProvider>());
        bus.ConnectConsumerConfigurationObserver(observer);
        bus.ConnectSagaConfigurationObserver(observer);
    }
}
