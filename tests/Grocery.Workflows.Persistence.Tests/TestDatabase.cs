using Grocery.Workflows.Persistence;
using Npgsql;

namespace Grocery.Workflows.Persistence.Tests;

/// <summary>A database of its own for one test class: a SQLite file, or a PostgreSQL database on the server from scripts/services.sh.</summary>
public abstract class TestDatabase : IAsyncLifetime
{
    public abstract PersistenceProvider Provider { get; }

    public string ConnectionString { get; protected set; } = "";

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();
}

public sealed class SqliteTestDatabase : TestDatabase
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "grocery-tests", $"{Guid.NewGuid():N}.db");

    public override PersistenceProvider Provider => PersistenceProvider.Sqlite;

    public override Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        ConnectionString = $"Data Source={_file};Default Timeout=30";
        return Task.CompletedTask;
    }

    public override Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _file, _file + "-wal", _file + "-shm" })
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Needs the PostgreSQL that scripts/services.sh starts (GROCERY_POSTGRES, or its default). When it is
/// not there the tests fail: they are never skipped.
/// </summary>
public sealed class PostgresTestDatabase : TestDatabase
{
    private const string Default = "Host=127.0.0.1;Port=5432;Database=grocery;Username=postgres;Password=postgres";
    private readonly string _name = $"grocery_test_{Guid.NewGuid():N}";
    private string _server = "";

    public override PersistenceProvider Provider => PersistenceProvider.PostgreSql;

    public override async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable("GROCERY_POSTGRES");
        var builder = new NpgsqlConnectionStringBuilder(string.IsNullOrWhiteSpace(configured) ? Default : configured) { Database = "postgres" };
        _server = builder.ToString();
        await Execute($"CREATE DATABASE {_name}");
        builder.Database = _name;
        builder.MaxPoolSize = 40;
        ConnectionString = builder.ToString();
    }

    public override async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Execute($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }

    private async Task Execute(string sql)
    {
        await using var connection = new NpgsqlConnection(_server);
        try
        {
            await connection.OpenAsync();
        }
        catch (NpgsqlException exception)
        {
            throw new InvalidOperationException(
                "PostgreSQL is not reachable; run `bash scripts/services.sh` (the test command does) or set GROCERY_POSTGRES.", exception);
        }

        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
