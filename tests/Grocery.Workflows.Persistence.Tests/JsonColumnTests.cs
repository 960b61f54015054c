using Grocery.Workflows.Contracts;
using Grocery.Workflows.Sagas.Orders;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Tests;

/// <summary>
/// A saga's list properties are JSON columns compared by the records' value equality (JsonColumns): a change in place or
/// by a new record is written, a new list with equal records is not.
/// </summary>
public sealed class JsonColumnTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();
    private readonly Guid _orderId = Guid.NewGuid();
    private static readonly OrderLine Milk = new("MILK-1L", "Fresh milk 1 L", SaleUnit.Each, 2, 25_000);
    private static readonly PickedLine PickedMilk = new("MILK-1L", "Fresh milk 1 L", SaleUnit.Each, 2, 2, 25_000, null);

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task A_list_changed_in_place_or_by_a_new_record_is_written_and_an_equal_copy_is_not()
    {
        await using var host = await WorkflowTestHost.Start(_database, dispatcher: false);
        await host.Query(async db =>
        {
            db.Add(new OrderState { CorrelationId = _orderId, CurrentState = "Confirmed", Lines = [Milk] });
            return await db.SaveChangesAsync();
        });

        // An equal copy (new list, new but equal records) is no change.
        var copied = await host.Query(async db =>
        {
            var saga = await db.Set<OrderState>().SingleAsync(s => s.CorrelationId == _orderId);
            saga.Lines = [Milk with { }];
            db.ChangeTracker.DetectChanges();
            return db.Entry(saga).Property(s => s.Lines).IsModified;
        });
        copied.ShouldBeFalse();

        // Added to in place, and a line replaced by a changed record: both written.
        await host.Query(async db =>
        {
            var saga = await db.Set<OrderState>().SingleAsync(s => s.CorrelationId == _orderId);
            saga.PickedLines.Add(PickedMilk);
            saga.Lines[0] = Milk with { Quantity = 3 };
            return await db.SaveChangesAsync();
        });

        var stored = await host.Query(db => db.Set<OrderState>().AsNoTracking().SingleAsync(s => s.CorrelationId == _orderId));
        stored.PickedLines.ShouldBe([PickedMilk]);
        stored.Lines.ShouldBe([Milk with { Quantity = 3 }]);
    }
}
