using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Tests;

/// <summary>The embedded database's per-connection settings (SqlitePragmas), read back from a connection the engine opened.</summary>
public sealed class SqliteConnectionTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task A_commit_does_not_wait_for_the_disk_and_a_busy_file_is_waited_for_inside_SQLite()
    {
        await using var host = await WorkflowTestHost.Start(_database, dispatcher: false);

        var (journal, synchronous, busyTimeout) = await host.Query(async db =>
        {
            await db.Database.OpenConnectionAsync();
            var connection = db.Database.GetDbConnection();
            return (await Pragma(connection, "journal_mode"), await Pragma(connection, "synchronous"), await Pragma(connection, "busy_timeout"));
        });

        journal.ShouldBe("wal");
        // 1 is NORMAL: in WAL mode a commit is durable against a crash of the process without an fsync of its own.
        synchronous.ShouldBe("1");
        // The connection string's Default Timeout=30, in milliseconds.
        busyTimeout.ShouldBe("30000");
    }

    private static async Task<string?> Pragma(DbConnection connection, string name)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
