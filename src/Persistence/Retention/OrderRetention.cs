using System.Linq.Expressions;
using System.Text.Json;
using Grocery.Workflows.Messaging;
using Grocery.Workflows.Messaging.Failures;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Delivery;
using Grocery.Workflows.Persistence.Notifications;
using Grocery.Workflows.Persistence.Orders;
using Grocery.Workflows.Persistence.Payments;
using Grocery.Workflows.Persistence.Slots;
using Grocery.Workflows.Persistence.Stock;
using Grocery.Workflows.Persistence.Timeline;
using Grocery.Workflows.Sagas;
using Grocery.Workflows.Sagas.Orders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Persistence.Retention;

/// <summary>What one retention run archived and deleted.</summary>
public sealed record RetentionResult(
    int Orders,
    int OrdersKeptActive,
    long OrderRowsDeleted,
    int AuditRows,
    int FailedMessages,
    IReadOnlyCollection<string> ArchiveFiles);

/// <summary>One finished order as archived: its order saga's end, and every row the engine kept for it, by table.</summary>
public sealed record ArchivedOrder(Guid OrderId, string StoreId, string State, DateTimeOffset FinishedAt, DateTimeOffset ArchivedAt,
    IReadOnlyDictionary<string, List<JsonElement>> Tables);

/// <summary>
/// Keeps the database to what is still needed. Orders whose saga has rested (completed, cancelled, failed...) for
/// longer than <see cref="RetentionSettings.Orders"/> are archived (<see cref="ArchiveFiles"/>, under <c>orders/</c> by
/// the day they finished), then every row of theirs is deleted in one transaction per batch. An order with a saga
/// still at work is left alone and counted. A stock ledger row stays while the reconciliation still needs it (no
/// count of its SKU since). Audit rows and failed messages older than <see cref="RetentionSettings.CriticalEvents"/>
/// are archived under <c>audit/</c> and <c>failed-messages/</c>, then deleted. The inbox and the provider events'
/// deduplication rows have retentions of their own (<c>Inbox:Retention</c>).
/// </summary>
public sealed class OrderRetention(IServiceScopeFactory scopes, WriteGate gate, TimeProvider time, IOptions<RetentionSettings> options)
{
    public async Task<RetentionResult> Run(Guid runId, IReadOnlyCollection<string>? stores, Func<long, long, Task> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var settings = options.Value;
        var now = time.GetUtcNow();
        var archive = new ArchiveFiles(settings.ArchivePath, runId);

        var (orders, active, deleted) = await Orders(archive, now - settings.Orders, stores, settings.BatchSize, progress, cancellationToken);
        var audit = await Audit(archive, now - settings.CriticalEvents, settings.BatchSize, cancellationToken);
        var failures = await FailedMessages(archive, now - settings.CriticalEvents, settings.BatchSize, cancellationToken);
        return new RetentionResult(orders, active, deleted, audit, failures, [.. archive.Written.Order(StringComparer.Ordinal)]);
    }

    private async Task<(int Orders, int Active, long Deleted)> Orders(ArchiveFiles archive, DateTimeOffset before, IReadOnlyCollection<string>? stores,
        int batchSize, Func<long, long, Task> progress, CancellationToken cancellationToken)
    {
        var resting = SagaCatalog.Order.RestingStates.ToList();
        var skipped = new List<Guid>();
        int orders = 0;
        long deleted = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
            var query = db.Set<OrderState>().AsNoTracking()
                .Where(o => resting.Contains(o.CurrentState) && EF.Property<DateTimeOffset>(o, MessagingDbContext.StateEnteredAt) < before && !skipped.Contains(o.CorrelationId));
            if (stores is not null)
            {
                query = query.Where(o => stores.Contains(o.StoreId));
            }

            var finished = await query.OrderBy(o => EF.Property<DateTimeOffset>(o, MessagingDbContext.StateEnteredAt)).Take(batchSize)
                .Select(o => new { o.CorrelationId, o.StoreId, o.CurrentState, FinishedAt = EF.Property<DateTimeOffset>(o, MessagingDbContext.StateEnteredAt) })
                .ToListAsync(cancellationToken);
            if (finished.Count == 0)
            {
                return (orders, skipped.Count, deleted);
            }

            // A saga of the order still at work (a refund not yet through, say) keeps the whole order.
            var ids = finished.Select(o => o.CorrelationId).ToList();
            var busy = await StillAtWork(db, ids, cancellationToken);
            skipped.AddRange(busy);
            ids.RemoveAll(busy.Contains);

            var rows = new Dictionary<Guid, Dictionary<string, List<JsonElement>>>();
            foreach (var table in OwnedTables(db))
            {
                foreach (var (orderId, row) in await table.Load(db, ids, cancellationToken))
                {
                    if (!rows.TryGetValue(orderId, out var tables))
                    {
                        tables = new Dictionary<string, List<JsonElement>>(StringComparer.Ordinal);
                        rows.Add(orderId, tables);
                    }

                    if (!tables.TryGetValue(table.Name, out var list))
                    {
                        list = [];
                        tables.Add(table.Name, list);
                    }

                    list.Add(JsonSerializer.SerializeToElement(row, row.GetType(), ArchiveFiles.Options));
                }
            }

            var archivedAt = time.GetUtcNow();
            await archive.Append("orders", finished.Where(o => ids.Contains(o.CorrelationId)).Select(o => (DateOnly.FromDateTime(o.FinishedAt.UtcDateTime),
                new ArchivedOrder(o.CorrelationId, o.StoreId, o.CurrentState, o.FinishedAt, archivedAt,
                    rows.TryGetValue(o.CorrelationId, out var tables) ? tables : new Dictionary<string, List<JsonElement>>()))), cancellationToken);

            using (await gate.Enter(cancellationToken))
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                foreach (var table in OwnedTables(db))
                {
                    deleted += await table.Delete(db, ids, cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
            }

            orders += ids.Count;
            await progress(orders, 0);
        }
    }

    private static async Task<List<Guid>> StillAtWork(WorkflowDbContext db, List<Guid> ids, CancellationToken cancellationToken)
    {
        var busy = new List<Guid>();
        foreach (var saga in SagaCatalog.All.Where(s => s != SagaCatalog.Order))
        {
            busy.AddRange(await saga.Accept(new ActiveInstances(db, ids, cancellationToken)));
        }

        return [.. busy.Distinct()];
    }

    private Task<int> Audit(ArchiveFiles archive, DateTimeOffset before, int batchSize, CancellationToken cancellationToken) =>
        ArchiveThenDelete(archive, "audit", batchSize,
            db => db.AuditLog.Where(a => a.At < before), a => a.Id, a => a.At,
            async (db, last, ct) =>
            {
                // audit_log refuses deletes; its trigger lets through rows older than audit_retention's mark, which
                // may not come later than 30 days ago (the database checks that too).
                await AuditRetentionMark.MoveTo(db, before, ct);
                return await db.AuditLog.Where(a => a.Id <= last && a.At < before).ExecuteDeleteAsync(ct);
            },
            cancellationToken);

    private Task<int> FailedMessages(ArchiveFiles archive, DateTimeOffset before, int batchSize, CancellationToken cancellationToken) =>
        ArchiveThenDelete(archive, "failed-messages", batchSize,
            db => db.FailedMessages.Where(f => f.FailedAt < before), f => f.Id, f => f.FailedAt,
            (db, last, ct) => db.FailedMessages.Where(f => f.Id <= last && f.FailedAt < before).ExecuteDeleteAsync(ct),
            cancellationToken);

    /// <summary>
    /// Rows of a table of events keyed by an ascending id, oldest first in batches: each batch archived under
    /// <paramref name="kind"/> by the day of its event, then deleted up to its last id in a transaction of its own.
    /// </summary>
    private async Task<int> ArchiveThenDelete<T>(ArchiveFiles archive, string kind, int batchSize,
        Func<WorkflowDbContext, IQueryable<T>> expired, Expression<Func<T, long>> id, Func<T, DateTimeOffset> atOf,
        Func<WorkflowDbContext, long, CancellationToken, Task<int>> deleteUpTo, CancellationToken cancellationToken)
        where T : class
    {
        var idOf = id.Compile();
        var total = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
            var batch = await expired(db).AsNoTracking().OrderBy(id).Take(batchSize).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return total;
            }

            await archive.Append(kind, batch.Select(r => (DateOnly.FromDateTime(atOf(r).UtcDateTime), r)), cancellationToken);
            using (await gate.Enter(cancellationToken))
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                total += await deleteUpTo(db, idOf(batch[^1]), cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
        }
    }

    /// <summary>Every table holding rows of an order, keyed by its order id: the sagas', then the engine's own.</summary>
    private static IEnumerable<OwnedTable> OwnedTables(WorkflowDbContext db)
    {
        foreach (var saga in SagaCatalog.All)
        {
            yield return saga.Accept(new SagaTable(db));
        }

        yield return OwnedTable.Of<OrderRequest>(db, nameof(OrderRequest.OrderId), r => r.OrderId);
        yield return OwnedTable.Of<SagaTimelineEntry>(db, nameof(SagaTimelineEntry.OrderId), r => r.OrderId);
        yield return OwnedTable.Of<StockReservation>(db, nameof(StockReservation.OrderId), r => r.OrderId);
        yield return OwnedTable.Of<SlotHold>(db, nameof(SlotHold.OrderId), r => r.OrderId);
        yield return OwnedTable.Of<PaymentLedgerRow>(db, nameof(PaymentLedgerRow.OrderId), r => r.OrderId);
        yield return OwnedTable.Of<CourierBookingRow>(db, nameof(CourierBookingRow.OrderId), r => r.OrderId);
        yield return OwnedTable.Of<NotificationRow>(db, nameof(NotificationRow.OrderId), r => r.OrderId);
        yield return OwnedTable.OfOptional<ProviderEvent>(db, nameof(ProviderEvent.OrderId), r => r.OrderId);
        yield return new OwnedTable(TableName<StockLedgerEntry>(db),
            async (context, ids, ct) => [.. (await context.StockLedger.AsNoTracking().Where(l => l.OrderId != null && ids.Contains(l.OrderId.Value)).ToListAsync(ct))
                .Select(l => (l.OrderId!.Value, (object)l))],
            // Only rows a later count of their SKU has settled: the reconciliation adds up the ledger since each SKU's last count.
            (context, ids, ct) => context.StockLedger
                .Where(l => l.OrderId != null && ids.Contains(l.OrderId.Value)
                            && context.StockCounts.Any(c => c.StoreId == l.StoreId && c.Sku == l.Sku && c.CountedAt > l.At))
                .ExecuteDeleteAsync(ct));
    }

    /// <summary>A saga's order id column, or its correlation id where that is the order id (no column of its own).</summary>
    private static string OrderKey<TState>(WorkflowDbContext db) =>
        db.Model.FindEntityType(typeof(TState))?.FindProperty(nameof(IGrocerySagaState.OrderId)) is null
            ? nameof(IGrocerySagaState.CorrelationId)
            : nameof(IGrocerySagaState.OrderId);

    private static string TableName<T>(WorkflowDbContext db) => db.Model.FindEntityType(typeof(T))?.GetTableName() ?? typeof(T).Name;

    private sealed record OwnedTable(
        string Name,
        Func<WorkflowDbContext, List<Guid>, CancellationToken, Task<List<(Guid OrderId, object Row)>>> Load,
        Func<WorkflowDbContext, List<Guid>, CancellationToken, Task<int>> Delete)
    {
        public static OwnedTable Of<T>(WorkflowDbContext db, string orderId, Func<T, Guid> orderIdOf)
            where T : class =>
            new(TableName<T>(db),
                async (context, ids, ct) => [.. (await context.Set<T>().AsNoTracking().Where(r => ids.Contains(EF.Property<Guid>(r, orderId))).ToListAsync(ct))
                    .Select(r => (orderIdOf(r), (object)r))],
                (context, ids, ct) => context.Set<T>().Where(r => ids.Contains(EF.Property<Guid>(r, orderId))).ExecuteDeleteAsync(ct));

        public static OwnedTable OfOptional<T>(WorkflowDbContext db, string orderId, Func<T, Guid?> orderIdOf)
            where T : class =>
            new(TableName<T>(db),
                async (context, ids, ct) =>
                {
                    List<Guid?> keys = [.. ids.Select(i => (Guid?)i)];
                    return [.. (await context.Set<T>().AsNoTracking().Where(r => keys.Contains(EF.Property<Guid?>(r, orderId))).ToListAsync(ct))
                        .Select(r => (orderIdOf(r)!.Value, (object)r))];
                },
                (context, ids, ct) =>
                {
                    List<Guid?> keys = [.. ids.Select(i => (Guid?)i)];
                    return context.Set<T>().Where(r => keys.Contains(EF.Property<Guid?>(r, orderId))).ExecuteDeleteAsync(ct);
                });
    }

    /// <summary>A saga's table, keyed by its own order id column, or by its correlation id where that is the order id.</summary>
    private sealed class SagaTable(WorkflowDbContext db) : ISagaVisitor<OwnedTable>
    {
        OwnedTable ISagaVisitor<OwnedTable>.Visit<TMachine, TState, TSettings>(SagaDescriptor saga)
        {
            return OwnedTable.Of<TState>(db, OrderKey<TState>(db), s => s.OrderId);
        }
    }

    /// <summary>The orders, of those given, with an instance of this saga not at rest.</summary>
    private sealed class ActiveInstances(WorkflowDbContext db, List<Guid> ids, CancellationToken cancellationToken) : ISagaVisitor<Task<List<Guid>>>
    {
        async Task<List<Guid>> ISagaVisitor<Task<List<Guid>>>.Visit<TMachine, TState, TSettings>(SagaDescriptor saga)
        {
            var key = OrderKey<TState>(db);
            var resting = saga.RestingStates.ToList();
            return await db.Set<TState>().AsNoTracking()
                .Where(s => ids.Contains(EF.Property<Guid>(s, key)) && !resting.Contains(s.CurrentState))
                .Select(s => EF.Property<Guid>(s, key)).Distinct().ToListAsync(cancellationToken);
        }
    }
}
