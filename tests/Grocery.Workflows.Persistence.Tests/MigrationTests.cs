using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Tests;

public sealed class MigrationTests
{
    [Fact]
    public void The_SQLite_migrations_match_the_model()
    {
        using var db = new SqliteWorkflowDbContext(new DbContextOptionsBuilder<SqliteWorkflowDbContext>().UseSqlite("Data Source=:memory:").Options);

        db.Database.HasPendingModelChanges().ShouldBeFalse("run: dotnet tool run dotnet-ef migrations add <Name> --project src/Persistence --context SqliteWorkflowDbContext");
        db.Database.GetMigrations().ShouldNotBeEmpty();
    }

    [Fact]
    public void The_PostgreSQL_migrations_match_the_model()
    {
        using var db = new PostgresWorkflowDbContext(new DbContextOptionsBuilder<PostgresWorkflowDbContext>().UseNpgsql("Host=127.0.0.1").Options);

        db.Database.HasPendingModelChanges().ShouldBeFalse("run: dotnet tool run dotnet-ef migrations add <Name> --project src/Persistence --context PostgresWorkflowDbContext");
        db.Database.GetMigrations().ShouldNotBeEmpty();
    }

    [Fact]
    public void Table_and_column_names_are_snake_case()
    {
        WorkflowDbContext.SnakeCase("StateEnteredAt").ShouldBe("state_entered_at");
        WorkflowDbContext.SnakeCase("OnHandMilli").ShouldBe("on_hand_milli");
        WorkflowDbContext.SnakeCase("CorrelationId").ShouldBe("correlation_id");
    }
}
