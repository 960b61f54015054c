using Grocery.Workflows.Persistence.Sagas;
using Grocery.Workflows.Sagas.Picking;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Persistence.Tests;

public sealed class SqliteStoredStateCheckTests() : StoredStateCheckTests(new SqliteTestDatabase());

public sealed class PostgresStoredStateCheckTests() : StoredStateCheckTests(new PostgresTestDatabase());

/// <summary>A new version meeting instances stored by an old one in a state it no longer has refuses to start.</summary>
public abstract class StoredStateCheckTests(TestDatabase database) : IAsyncLifetime
{
    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task An_instance_in_a_state_the_machine_does_not_have_stops_the_start_and_is_named()
    {
        var orderId = Guid.NewGuid();
        await using (var old = await WorkflowTestHost.Start(database))
        {
            // What an older version with a "Weighing" state would have left behind, next to a healthy instance.
            await old.InTransaction(services =>
            {
                var db = services.GetRequiredService<WorkflowDbContext>();
                db.Set<PickingState>().Add(new PickingState { CorrelationId = orderId, CurrentState = "Weighing", StoreId = "hcm-01" });
                db.Set<PickingState>().Add(new PickingState { CorrelationId = Guid.NewGuid(), CurrentState = "Queued", StoreId = "hcm-01" });
                return Task.FromResult(0);
            });
        }

        var refused = await Should.ThrowAsync<UnknownStoredStateException>(() => WorkflowTestHost.Start(database));

        refused.States.ShouldHaveSingleItem().ShouldStartWith("Picking in 'Weighing': 1 instance(s)");
        refused.Message.ShouldContain("docs/upgrades.md");

        // Moved to a state the machine has (what the first of docs/upgrades.md's two releases does), the engine starts.
        await Execute(database, $"UPDATE {PickingStateMachine.Saga.Table} SET current_state = 'Queued' WHERE current_state = 'Weighing'");
        await using var moved = await WorkflowTestHost.Start(database);
        (await moved.Query(db => db.Set<PickingState>().AsNoTracking().CountAsync(p => p.CurrentState == "Queued"))).ShouldBe(2);
    }

    private static async Task Execute(TestDatabase database, string sql)
    {
        await using System.Data.Common.DbConnection connection = database.Provider == PersistenceProvider.Sqlite
            ? new Microsoft.Data.Sqlite.SqliteConnection(database.ConnectionString)
            : new Npgsql.NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        (await command.ExecuteNonQueryAsync()).ShouldBe(1);
    }
}
