using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Grocery.Workflows.Persistence;

/// <summary>
/// Serializes the start-up work that every instance does on one database (migrations, the seed, storing the job
/// schedule), so that any number of instances started at the same moment all come up: the first does the work, the
/// others wait and then find it done. On PostgreSQL a session advisory lock in the engine's database (made first
/// when it does not exist yet), on a connection of its own; on SQLite an exclusive lock on a file beside the database,
/// which holds across processes.
/// </summary>
public sealed partial class StartupLock(IServiceScopeFactory scopes, ILogger<StartupLock> logger)
{
    private static readonly TimeSpan SqliteRetry = TimeSpan.FromMilliseconds(100);

    /// <summary>Waits for the lock; dispose the result to let the next instance in.</summary>
    public async Task<IAsyncDisposable> Acquire(CancellationToken cancellationToken)
    {
        string connectionString;
        bool postgres;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
            connectionString = db.Database.GetConnectionString() ?? "";
            postgres = db.Database.IsNpgsql();
        }

        return postgres ? await AcquirePostgres(connectionString, cancellationToken) : await AcquireSqlite(connectionString, cancellationToken);
    }

    private async Task<IAsyncDisposable> AcquirePostgres(string connectionString, CancellationToken cancellationToken)
    {
        // Not pooled: if the process dies holding the lock, closing the session releases it, and no pooled
        // connection can carry a forgotten lock into later work.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Enlist = false };
        var key = Key(builder.Database ?? "");
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            // A first start on a new server: the lock lives in the engine's database, so it is made here, once.
            await connection.DisposeAsync();
            await CreateDatabase(builder, cancellationToken);
            connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
        }

        try
        {
            await using (var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection))
            {
                command.Parameters.AddWithValue("key", key);
                if (await command.ExecuteScalarAsync(cancellationToken) is not true)
                {
                    LogWaiting("another instance's start-up work on this database");
                    command.CommandText = "SELECT pg_advisory_lock(@key)";
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            return new Held(async () =>
            {
                await using (var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection))
                {
                    unlock.Parameters.AddWithValue("key", key);
                    await unlock.ExecuteNonQueryAsync(CancellationToken.None);
                }

                await connection.DisposeAsync();
            });
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task<IAsyncDisposable> AcquireSqlite(string connectionString, CancellationToken cancellationToken)
    {
        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (string.IsNullOrEmpty(file) || file == ":memory:" || connectionString.Contains("Mode=Memory", StringComparison.OrdinalIgnoreCase))
        {
            // A database in memory belongs to this process alone.
            return new Held(() => ValueTask.CompletedTask);
        }

        var path = Path.GetFullPath(file) + ".startup.lock";
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var logged = false;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive lock on the open file that other processes see (flock on Linux).
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new Held(() => stream.DisposeAsync());
            }
            catch (IOException)
            {
                if (!logged)
                {
                    LogWaiting(path);
                    logged = true;
                }

                await Task.Delay(SqliteRetry, cancellationToken);
            }
        }
    }

    private static async Task CreateDatabase(NpgsqlConnectionStringBuilder target, CancellationToken cancellationToken)
    {
        var maintenance = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Database = "postgres" };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{target.Database!.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another instance starting at the same moment made it.
        }
    }

    /// <summary>A stable 64-bit key per database name, so engines of different databases on one server never wait for each other.</summary>
    private static long Key(string database) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("grocery-workflows-startup:" + database)), 0);

    private sealed class Held(Func<ValueTask> release) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => release();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting for {Holder} before the start-up work")]
    private partial void LogWaiting(string holder);
}
