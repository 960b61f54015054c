using Grocery.Workflows.Api.Jobs;
using Grocery.Workflows.Messaging;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Jobs;
using Grocery.Workflows.Persistence.Retention;
using Grocery.Workflows.Persistence.Stock;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Quartz;

namespace Grocery.Workflows.Host.Scheduling;

public static class SchedulingRegistration
{
    /// <summary>
    /// Quartz with the engine's jobs. On PostgreSQL the clustered ADO job store (its tables come with the migrations),
    /// so each firing runs on exactly one instance and an instance that dies has its run recovered by another; on the
    /// embedded default the ADO job store of a single instance, in a SQLite file of Quartz's own. Call after <c>AddWorkflowPersistence</c>: the
    /// triggers are made from the stores, which the migrator and the seed put there first. Without
    /// <paramref name="runScheduler"/> (Host:Role Api) the scheduler is not started here: the jobs API still lists the
    /// triggers and queues manual runs in the shared job store, for the instances that run it.
    /// </summary>
    public static IServiceCollection AddGroceryJobs(this IServiceCollection services, IConfiguration configuration, bool runScheduler = true)
    {
        services.AddOptions<JobsSettings>().BindConfiguration("Jobs").ValidateDataAnnotations().ValidateOnStart()
            .Validate(s => CronExpression.TryParse(s.SlotGenerationCron, out _), "Jobs:SlotGenerationCron is not a valid Quartz cron expression.")
            .Validate(s => CronExpression.TryParse(s.StockReconciliationCron, out _), "Jobs:StockReconciliationCron is not a valid Quartz cron expression.")
            .Validate(s => CronExpression.TryParse(s.RetentionCron, out _), "Jobs:RetentionCron is not a valid Quartz cron expression.");
        services.AddOptions<RetentionSettings>().BindConfiguration("Retention").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<OrderRetention>();
        var settings = configuration.GetSection("Jobs").Get<JobsSettings>() ?? new JobsSettings();
        var persistence = configuration.GetSection("Persistence").Get<PersistenceSettings>() ?? new PersistenceSettings();

        services.AddSingleton(sp => new JobRuns(sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<WriteGate>(),
            sp.GetRequiredService<TimeProvider>()) { StaleAfter = sp.GetRequiredService<IOptions<JobsSettings>>().Value.StaleRunAfter });
        services.AddSingleton(sp => new StockReconciler(sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<WriteGate>(),
            sp.GetRequiredService<TimeProvider>()) { BatchSize = sp.GetRequiredService<IOptions<JobsSettings>>().Value.ReconciliationBatchSize });
        services.AddSingleton<JobMetrics>();
        services.AddSingleton<IJobControl, QuartzJobControl>();

        services.AddQuartz(q =>
        {
            var clustered = persistence.Provider == PersistenceProvider.PostgreSql;
            q.ConfigureScheduler(scheduler =>
            {
                scheduler.InstanceName = "grocery-workflows";
                // Clustered instances need ids of their own; the single embedded one keeps the same id across
                // restarts, so that Quartz recovers the run a stopped process left behind.
                scheduler.GenerateInstanceId = clustered;
                if (!clustered)
                {
                    scheduler.InstanceId = "embedded";
                }

                // Shutdown does not wait for a running job; it cancels it, so the run is written down as interrupted.
                scheduler.ShutdownJobInterruption = ShutdownJobInterruption.Always;
            });
            // Three jobs, each never concurrent with itself: three threads are all they can use.
            q.UseDefaultThreadPool(pool => pool.MaxConcurrency = 3);
            if (clustered)
            {
                var connectionString = configuration.GetConnectionString("Workflows")
                    ?? throw new InvalidOperationException("Persistence:Provider is PostgreSql but ConnectionStrings:Workflows is empty.");
                q.UsePersistentStore(store =>
                {
                    store.UsePostgres(connectionString);
                    store.UseSystemTextJsonSerializer();
                    store.UseClustering(cluster => cluster.CheckinInterval = settings.ClusterCheckinInterval);
                    store.ConfigureStore(ado =>
                    {
                        ado.StoreJobDataAsStrings = true;
                        ado.MisfireThreshold = settings.MisfireThreshold;
                    });
                });
            }
            else
            {
                // A file of Quartz's own beside the engine's: the schedule, a pause and a missed night survive a
                // restart, and the scheduler never waits for the engine's single SQLite writer.
                q.UsePersistentStore(store =>
                {
                    store.UseSqlite(new SqliteConnectionStringBuilder { DataSource = QuartzFile(configuration, persistence), DefaultTimeout = 30 }.ToString());
                    store.UseSystemTextJsonSerializer();
                    store.ProvisionSchema();
                    store.ConfigureStore(ado =>
                    {
                        ado.StoreJobDataAsStrings = true;
                        ado.MisfireThreshold = settings.MisfireThreshold;
                    });
                });
            }
        });

        if (settings.Enabled && runScheduler)
        {
            services.AddHostedService<JobSchedule>();
            services.AddQuartzHostedService(o =>
            {
                o.AwaitApplicationStarted = true;
                // A run cut off by shutdown is written down as interrupted; its finished batches stay, the rest runs next time.
                o.WaitForJobsToComplete = false;
            });
        }

        return services;
    }

    /// <summary><c>data/grocery.db</c> keeps its schedule in <c>data/grocery.quartz.db</c>.</summary>
    public static string QuartzFile(IConfiguration configuration, PersistenceSettings persistence)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(persistence);
        var connectionString = configuration.GetConnectionString("Workflows");
        var engine = string.IsNullOrWhiteSpace(connectionString) ? persistence.SqliteFile : new SqliteConnectionStringBuilder(connectionString).DataSource;
        return Path.ChangeExtension(engine, ".quartz.db");
    }
}
