using System.ComponentModel.DataAnnotations;

namespace Grocery.Workflows.Persistence;

public enum PersistenceProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>Where the engine keeps its state (section <c>Persistence</c>; connection string <c>ConnectionStrings:Workflows</c>).</summary>
public sealed class PersistenceSettings
{
    public PersistenceProvider Provider { get; set; } = PersistenceProvider.Sqlite;

    /// <summary>Apply pending migrations when the host starts (operators may instead run the SQL script).</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>The SQLite file used when no connection string is given, relative to the working directory.</summary>
    [Required]
    public string SqliteFile { get; set; } = Path.Combine("data", "grocery.db");

    /// <summary>
    /// PostgreSQL connections one instance may open, when the connection string does not say (Maximum Pool Size).
    /// Keep instances times this below the server's max_connections (100 by default): a consumer that finds the
    /// pool full waits for a connection, while a server that refuses one fails the message.
    /// </summary>
    [Range(2, 1000)]
    public int MaxPoolSize { get; set; } = 30;

    /// <summary>
    /// PostgreSQL only, unless the connection string sets <c>Max Auto Prepare</c>: how many statements each connection
    /// keeps prepared (0 turns automatic preparation off).
    /// </summary>
    [Range(0, 1000)]
    public int MaxAutoPrepare { get; set; } = 100;
}
