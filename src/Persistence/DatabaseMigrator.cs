using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Persistence;

/// <summary>
/// Applies pending migrations before anything else starts (registered before the bus), one instance at a time: two
/// instances migrating a new database at once would both create its tables.
/// </summary>
public sealed partial class DatabaseMigrator(IServiceScopeFactory scopes, StartupLock startupLock, IOptions<PersistenceSettings> settings,
    ILogger<DatabaseMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var held = await startupLock.Acquire(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
        if (db.Database.IsSqlite())
        {
            var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            var directory = Path.GetDirectoryName(Path.GetFullPath(file));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
        }

        if (settings.Value.MigrateOnStart)
        {
            // On an empty PostgreSQL database the migrator's first read of its history fails, and EF Core logs that
            // failed command as an error before it creates the table; creating the table first keeps a first
            // deployment's log free of errors that are none.
            await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
            LogMigrated(db.Database.ProviderName ?? "?");
        }

        if (db.Database.IsSqlite())
        {
            // Readers never wait for the writer; the write gate orders writers. WAL is also what makes the
            // synchronous=NORMAL of SqlitePragmas safe: a crash of the process loses nothing committed.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is current ({Provider})")]
    private partial void LogMigrated(string provider);
}
