using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Orders;
using Grocery.Workflows.Contracts.Payments;
using Grocery.Workflows.Contracts.Slots;
using Grocery.Workflows.Messaging;
using Grocery.Workflows.Messaging.Failures;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Orders;
using Grocery.Workflows.Persistence.Retention;
using Grocery.Workflows.Persistence.Stock;
using Grocery.Workflows.Sagas.Delivery;
using Grocery.Workflows.Sagas.Orders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Persistence.Tests;

public sealed class SqliteRetentionTests() : RetentionTests(new SqliteTestDatabase());

public sealed class PostgresRetentionTests() : RetentionTests(new PostgresTestDatabase());

/// <summary>The retention job's work: finished orders archived then deleted, old critical events likewise, nothing else.</summary>
public abstract class RetentionTests(TestDatabase database) : IAsyncLifetime
{
    private const string Store = "hcm-01";
    private static readonly Guid SlotId = Guid.Parse("5a1e0000-0000-0000-0000-0000000000bb");
    private readonly string _archive = Path.Combine(Path.GetTempPath(), "grocery-tests", "archive-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => database.InitializeAsync();

    public async Task DisposeAsync()
    {
        await database.DisposeAsync();
        if (Directory.Exists(_archive))
        {
            Directory.Delete(_archive, recursive: true);
        }
    }

    private static OrderSubmitted Order(Guid orderId) => TestOrders.Submitted(orderId, Store, SlotId);

    private OrderRetention Retention(WorkflowTestHost host, int batchSize = 1) => new(
        host.Services.GetRequiredService<IServiceScopeFactory>(), host.Services.GetRequiredService<WriteGate>(), TimeProvider.System,
        Options.Create(new RetentionSettings { ArchivePath = _archive, BatchSize = batchSize }));

    [Fact]
    public async Task Orders_finished_before_the_retention_are_archived_then_deleted_and_the_rest_stays()
    {
        await using var host = await WorkflowTestHost.Start(database, TestWorld.AddTo);
        await host.Receive(Store, "MILK-1L", 50);
        await host.Receive(Store, "BANANA", 20);
        await host.AddSlot(SlotId, Store, 10, DateTimeOffset.UtcNow.AddHours(6));
        Guid old = Guid.NewGuid(), recent = Guid.NewGuid(), stillDelivering = Guid.NewGuid();
        foreach (var id in new[] { old, recent, stillDelivering })
        {
            await host.Checkout(Order(id));
            await host.SagaInState<OrderState>(id, "Completed");
        }

        await host.InTransaction(sp =>
        {
            var db = sp.GetRequiredService<WorkflowDbContext>();
            db.OrderRequests.Add(new OrderRequest { OrderId = old, CustomerId = "cust-1", IdempotencyKey = "k-old", RequestHash = "h", StoreId = Store, SlotId = SlotId, Currency = "VND", CreatedAt = DateTimeOffset.UtcNow });
            // Milk was counted after the old order took it; bananas were not, so the reconciliation still needs their ledger rows.
            db.StockCounts.Add(new StockCount { StoreId = Store, Sku = "MILK-1L", CountedMilli = 48_000, CountedAt = DateTimeOffset.UtcNow, ImportedAt = DateTimeOffset.UtcNow });
            return Task.FromResult(0);
        });
        // The old orders finished 100 days ago; one of them still has its delivery saga at work.
        var longAgo = DateTimeOffset.UtcNow.AddDays(-100);
        await host.InTransaction(async sp =>
        {
            var db = sp.GetRequiredService<WorkflowDbContext>();
            foreach (var id in new[] { old, stillDelivering })
            {
                var order = await db.Set<OrderState>().SingleAsync(o => o.CorrelationId == id);
                db.Entry(order).Property(MessagingDbContext.StateEnteredAt).CurrentValue = longAgo;
            }

            await db.SaveChangesAsync();
            return await db.Set<DeliveryState>().Where(d => d.CorrelationId == stillDelivering)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.CurrentState, "PickedUp"));
        });
        var milkLedgerOfOld = await host.Query(db => db.StockLedger.CountAsync(l => l.OrderId == old && l.Sku == "MILK-1L"));
        var bananaLedgerOfOld = await host.Query(db => db.StockLedger.CountAsync(l => l.OrderId == old && l.Sku == "BANANA"));
        var timelineOfOld = await host.Query(db => db.Timeline.CountAsync(t => t.OrderId == old));
        (milkLedgerOfOld, bananaLedgerOfOld, timelineOfOld).ShouldSatisfyAllConditions(() => milkLedgerOfOld.ShouldBeGreaterThan(0), () => bananaLedgerOfOld.ShouldBeGreaterThan(0), () => timelineOfOld.ShouldBeGreaterThan(10));

        var result = await Retention(host).Run(Guid.NewGuid(), null, (_, _) => Task.CompletedTask, CancellationToken.None);

        (result.Orders, result.OrdersKeptActive).ShouldBe((1, 1));
        // Nothing of the old order is left but the banana ledger rows the reconciliation still reads.
        foreach (var (table, count) in await host.Query(async db => new[]
                 {
                     ("order sagas", await db.Set<OrderState>().CountAsync(o => o.CorrelationId == old)),
                     ("delivery sagas", await db.Set<DeliveryState>().CountAsync(o => o.CorrelationId == old)),
                     ("slot reservation sagas", await db.Set<Grocery.Workflows.Sagas.Slots.SlotReservationState>().CountAsync(o => o.OrderId == old)),
                     ("timeline", await db.Timeline.CountAsync(t => t.OrderId == old)),
                     ("requests", await db.OrderRequests.CountAsync(r => r.OrderId == old)),
                     ("stock reservations", await db.StockReservations.CountAsync(r => r.OrderId == old)),
                     ("slot holds", await db.SlotHolds.CountAsync(h => h.OrderId == old)),
                     ("milk ledger", await db.StockLedger.CountAsync(l => l.OrderId == old && l.Sku == "MILK-1L")),
                 }))
        {
            count.ShouldBe(0, table);
        }

        (await host.Query(db => db.StockLedger.CountAsync(l => l.OrderId == old && l.Sku == "BANANA"))).ShouldBe(bananaLedgerOfOld);
        (await host.Query(db => db.Set<OrderState>().CountAsync(o => o.CorrelationId == recent || o.CorrelationId == stillDelivering))).ShouldBe(2);
        (await host.Query(db => db.Timeline.CountAsync(t => t.OrderId == recent))).ShouldBe(timelineOfOld);

        // The archive: one line for the old order, under the day it finished, with every row that was deleted.
        var file = result.ArchiveFiles.ShouldHaveSingleItem();
        file.ShouldBe($"orders/{DateOnly.FromDateTime(longAgo.UtcDateTime):yyyy-MM-dd}.{file.Split('.')[1]}.jsonl.gz");
        var line = (await ArchiveFiles.Read(Path.Combine(_archive, file))).ShouldHaveSingleItem();
        line.GetProperty("orderId").GetGuid().ShouldBe(old);
        line.GetProperty("state").GetString().ShouldBe("Completed");
        var tables = line.GetProperty("tables");
        tables.GetProperty("order_sagas").GetArrayLength().ShouldBe(1);
        tables.GetProperty("order_requests").GetArrayLength().ShouldBe(1);
        tables.GetProperty("saga_timeline").GetArrayLength().ShouldBe(timelineOfOld);
        tables.GetProperty("stock_ledger").GetArrayLength().ShouldBe(milkLedgerOfOld + bananaLedgerOfOld);
        // The payment token never leaves the engine's database.
        tables.GetProperty("order_sagas")[0].TryGetProperty("paymentToken", out _).ShouldBeFalse();
        line.GetRawText().ShouldNotContain("tok_success");

        // A second run finds nothing more to do.
        var again = await Retention(host).Run(Guid.NewGuid(), null, (_, _) => Task.CompletedTask, CancellationToken.None);
        (again.Orders, again.OrdersKeptActive, again.ArchiveFiles.Count).ShouldBe((0, 1, 0));
    }

    [Fact]
    public async Task Audit_rows_and_failed_messages_older_than_the_critical_retention_go_and_a_recent_audit_row_cannot()
    {
        await using var host = await WorkflowTestHost.Start(database);
        var now = DateTimeOffset.UtcNow;
        await host.InTransaction(sp =>
        {
            var db = sp.GetRequiredService<WorkflowDbContext>();
            db.AuditLog.Add(new AuditEntry { At = now.AddDays(-200), Subject = "ops-1", Roles = "ops", Action = "replay", Target = "old", Outcome = "accepted" });
            db.AuditLog.Add(new AuditEntry { At = now.AddDays(-10), Subject = "ops-1", Roles = "ops", Action = "replay", Target = "recent", Outcome = "accepted" });
            db.FailedMessages.Add(new FailedMessage { MessageType = "old", InputAddress = "queue:x", Body = "{}", ExceptionType = "E", ExceptionMessage = "m", FailedAt = now.AddDays(-200) });
            db.FailedMessages.Add(new FailedMessage { MessageType = "recent", InputAddress = "queue:x", Body = "{}", ExceptionType = "E", ExceptionMessage = "m", FailedAt = now.AddDays(-10) });
            return Task.FromResult(0);
        });

        var result = await Retention(host).Run(Guid.NewGuid(), null, (_, _) => Task.CompletedTask, CancellationToken.None);

        (result.AuditRows, result.FailedMessages).ShouldBe((1, 1));
        (await host.Query(db => db.AuditLog.Select(a => a.Target).ToListAsync())).ShouldBe(["recent"]);
        (await host.Query(db => db.FailedMessages.Select(f => f.MessageType).ToListAsync())).ShouldBe(["recent"]);
        var audit = result.ArchiveFiles.Single(f => f.StartsWith("audit/", StringComparison.Ordinal));
        (await ArchiveFiles.Read(Path.Combine(_archive, audit))).ShouldHaveSingleItem().GetProperty("target").GetString().ShouldBe("old");

        // Whatever asks, the database keeps an audit row younger than 30 days, and its mark cannot be moved there.
        await Should.ThrowAsync<Exception>(() => host.Query(db => db.AuditLog.Where(a => a.Target == "recent").ExecuteDeleteAsync()));
        await Should.ThrowAsync<Exception>(() => host.Query(db => AuditRetentionMark.MoveTo(db, now.AddDays(-10), CancellationToken.None)));
        (await host.Query(db => db.AuditLog.CountAsync())).ShouldBe(1);
    }
}
