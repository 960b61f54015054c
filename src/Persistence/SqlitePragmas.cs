using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Grocery.Workflows.Persistence;

/// <summary>
/// Per-connection settings of the embedded database, set on every open (they are not stored in the file; a pooled
/// connection keeps them, and setting them again costs microseconds).
/// <list type="bullet">
/// <item><c>synchronous=NORMAL</c>: in WAL mode a commit no longer waits for the disk, only a checkpoint does. A killed
/// process loses nothing committed; a power cut or an operating system crash may lose the last transactions, never
/// the file's integrity. The writer's fsync per commit was the largest wait of a hop (docs/performance.md).</item>
/// <item><c>busy_timeout</c>: a writer that finds the file locked by another connection (a checkpoint, another process)
/// waits inside SQLite, which retries within milliseconds, instead of Microsoft.Data.Sqlite's retry loop, which sleeps
/// 150 ms between attempts. As long as the connection's default timeout.</item>
/// </list>
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = Command(connection);
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = Command(connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DbCommand Command(DbConnection connection)
    {
        var command = connection.CreateCommand();
        var timeout = connection is SqliteConnection sqlite ? sqlite.DefaultTimeout : 30;
        command.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={timeout * 1000};");
        return command;
    }
}
