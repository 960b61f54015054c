using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Jobs;
using Grocery.Workflows.Persistence.Sagas;
using Grocery.Workflows.Sagas;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Api.Tests.Fuzzing;

/// <summary>
/// Every table of the engine's model (order requests, outbox, the five saga tables, closures, job runs, failures,
/// stock, provider events, the audit log, and whatever table is added later) as a row count and a hash of its rows, so
/// that two snapshots are equal only when no row was added, removed or changed.
/// </summary>
public sealed class DatabaseSnapshot : IEquatable<DatabaseSnapshot>
{
    private readonly SortedDictionary<string, string> _tables;
    private readonly long _lastAuditId;

    private DatabaseSnapshot(SortedDictionary<string, string> tables, string auditTable, long lastAuditId)
    {
        _tables = tables;
        AuditTable = auditTable;
        _lastAuditId = lastAuditId;
    }

    /// <summary>The audit trail's table, which a refusal may add its one row to (docs/audit.md).</summary>
    public string AuditTable { get; }

    public static Task<DatabaseSnapshot> Take(GroceryApiFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return factory.Query(async db =>
        {
            var tables = new SortedDictionary<string, string>(StringComparer.Ordinal);
            var connection = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync();
            try
            {
                foreach (var table in db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Distinct())
                {
                    await using var command = connection.CreateCommand();
                    command.CommandText = $"SELECT * FROM \"{table}\"";
                    await using var reader = await command.ExecuteReaderAsync();
                    // Rows in any order: the hash is of the sorted row texts.
                    var rows = new List<string>();
                    var row = new StringBuilder();
                    while (await reader.ReadAsync())
                    {
                        row.Clear();
                        for (var i = 0; i < reader.FieldCount; i++)
                        {
                            row.Append(Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)).Append('\u001f');
                        }

                        rows.Add(row.ToString());
                    }

                    rows.Sort(StringComparer.Ordinal);
                    var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001e', rows)));
                    tables[table] = $"{rows.Count} rows #{Convert.ToHexStringLower(hash)[..12]}";
                }
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }

            var auditTable = db.Model.FindEntityType(typeof(AuditEntry))!.GetTableName()!;
            return new DatabaseSnapshot(tables, auditTable, await db.AuditLog.MaxAsync(a => (long?)a.Id) ?? 0);
        });
    }

    /// <summary>The audit rows written since this snapshot, oldest first.</summary>
    public Task<List<AuditEntry>> AuditSince(GroceryApiFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return factory.Query(db => db.AuditLog.AsNoTracking().Where(a => a.Id > _lastAuditId).OrderBy(a => a.Id).ToListAsync());
    }

    /// <summary>
    /// Waits until the engine has nothing left to do on its own: every saga at rest, every order request taken over by
    /// its saga, no job run queued or running, no outbox message due, no message being received (a consumer at work, or
    /// waiting to retry), and the tables alike for 300 ms.
    /// </summary>
    public static async Task<DatabaseSnapshot> Quiet(GroceryApiFactory factory, TimeSpan within)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var until = DateTime.UtcNow + within;
        DatabaseSnapshot? previous = null;
        var stableSince = DateTime.UtcNow;
        while (DateTime.UtcNow < until)
        {
            if (await Busy(factory) is not null)
            {
                previous = null;
                await Task.Delay(50);
                continue;
            }

            // At rest: nothing moving, and the tables the same for 300 ms (a message the in-memory transport is handing
            // from the outbox to its receiver is, for that moment, in neither).
            var current = await Take(factory);
            if (!current.Equals(previous))
            {
                (previous, stableSince) = (current, DateTime.UtcNow);
            }
            else if (DateTime.UtcNow - stableSince >= TimeSpan.FromMilliseconds(300))
            {
                return current;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The engine did not come to rest within {within}: {await Busy(factory) ?? "its tables kept changing"}.");
    }

    /// <summary>
    /// The state after a request that was taken: at once when it set nothing going (a closure, a paused job, a webhook
    /// with nothing to tell), else once the work it started (an order, a job run, messages in the outbox) has come to
    /// rest. Read again either way: a short job run may have started and finished since the request was answered.
    /// </summary>
    public static async Task<DatabaseSnapshot> Settled(GroceryApiFactory factory, TimeSpan within)
    {
        if (await Busy(factory) is null)
        {
            var now = await Take(factory);
            if (await Busy(factory) is null)
            {
                return now;
            }
        }

        return await Quiet(factory, within);
    }

    /// <summary>What the engine is still doing, or null.</summary>
    private static async Task<string?> Busy(GroceryApiFactory factory)
    {
        // A message taken off the transport and not yet done with (a retry waits inside its receive) is in no table.
        var receiving = Receiving.Of(factory).InFlight;
        return receiving > 0 ? $"{receiving} messages being received" : await Stored(factory);
    }

    private static Task<string?> Stored(GroceryApiFactory factory) => factory.Query(async db =>
    {
        foreach (var saga in SagaCatalog.All)
        {
            var moving = (await SagaStateCounts.Read(db, saga.Name, CancellationToken.None)).Where(s => !saga.RestingStates.Contains(s.State)).ToList();
            if (moving.Count > 0)
            {
                return $"{saga.Name} sagas in {string.Join(", ", moving.Select(s => s.State))}";
            }
        }

        var requests = await db.OrderRequests.CountAsync();
        var orders = await db.Set<Grocery.Workflows.Sagas.Orders.OrderState>().CountAsync();
        if (requests != orders)
        {
            return $"{requests - orders} orders not yet taken over by their saga";
        }

        if (await db.JobRuns.AnyAsync(r => r.Status == JobRunStatus.Queued || r.Status == JobRunStatus.Running))
        {
            return "a job run queued or running";
        }

        var soon = DateTimeOffset.UtcNow.AddSeconds(1);
        var due = await db.Outbox.Select(m => m.DueAt).ToListAsync();
        return due.Exists(d => d <= soon) ? $"{due.Count(d => d <= soon)} outbox messages due" : null;
    });

    /// <summary>Counts the messages the bus has taken off the transport and not finished with, per engine under test.</summary>
    private sealed class Receiving : IReceiveObserver
    {
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<GroceryApiFactory, Receiving> Engines = [];
        private readonly System.Collections.Concurrent.ConcurrentDictionary<ReceiveContext, byte> _open = new();

        public int InFlight => _open.Count;

        public static Receiving Of(GroceryApiFactory factory) => Engines.GetValue(factory, f =>
        {
            var receiving = new Receiving();
            f.Services.GetRequiredService<IBus>().ConnectReceiveObserver(receiving);
            return receiving;
        });

        public Task PreReceive(ReceiveContext context)
        {
            _open.TryAdd(context, 0);
            return Task.CompletedTask;
        }

        public Task PostReceive(ReceiveContext context)
        {
            _open.TryRemove(context, out _);
            return Task.CompletedTask;
        }

        public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
            where T : class => Task.CompletedTask;

        public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
            where T : class => Task.CompletedTask;

        public Task ReceiveFault(ReceiveContext context, Exception exception)
        {
            _open.TryRemove(context, out _);
            return Task.CompletedTask;
        }
    }

    /// <summary>The tables that differ, but for those excepted, as "table: before -> after"; empty when none does.</summary>
    public string Difference(DatabaseSnapshot after, params string[] except)
    {
        ArgumentNullException.ThrowIfNull(after);
        return string.Join("; ", _tables.Keys.Union(after._tables.Keys, StringComparer.Ordinal)
            .Where(t => !except.Contains(t) && _tables.GetValueOrDefault(t) != after._tables.GetValueOrDefault(t))
            .Select(t => $"{t}: {_tables.GetValueOrDefault(t) ?? "absent"} -> {after._tables.GetValueOrDefault(t) ?? "absent"}"));
    }

    public bool Equals(DatabaseSnapshot? other) => other is not null && _tables.SequenceEqual(other._tables);

    public override bool Equals(object? obj) => Equals(obj as DatabaseSnapshot);

    public override int GetHashCode() => _tables.Count;
}
