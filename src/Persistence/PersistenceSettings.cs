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
}
