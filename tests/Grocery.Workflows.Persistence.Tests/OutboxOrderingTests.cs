using System.Collections.Concurrent;
using Grocery.Workflows.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grocery.Workflows.Persistence.Tests;

/// <summary>A message of one order, numbered in the order it was committed.</summary>
public sealed record OrderNote(Guid OrderId, int Sequence);

public sealed class SqliteOutboxOrderingTests() : OutboxOrderingTests(new SqliteTestDatabase())
{
    [Fact]
    public async Task A_row_deleted_while_it_is_sent_is_no_conflict()
    {
        // SQLite's dispatcher holds no lock during its sends, so a transition may unschedule (delete) a row that is on its
        // way; on PostgreSQL the delete waits for the claim.
        var a = Guid.NewGuid();
        var (sending, release) = HoldSendsOf(a);
        await using var host = await Start(new Dictionary<string, string?> { ["Outbox:SendTimeout"] = "00:01:00" });
        await Commit(host, (a, 1));
        var batch = Dispatcher(host).DeliverDue(CancellationToken.None);
        await sending.WaitAsync(TimeSpan.FromSeconds(30));

        await host.InTransaction(async sp => await sp.GetRequiredService<WorkflowDbContext>().Outbox.ExecuteDeleteAsync()).WaitAsync(TimeSpan.FromSeconds(30));
        release.SetResult();

        (await batch).Delivered.ShouldBe(1);
        (await host.Query(db => db.Outbox.CountAsync())).ShouldBe(0);
    }
}

public sealed class PostgresOutboxOrderingTests() : OutboxOrderingTests(new PostgresTestDatabase())
{
    [Fact]
    public async Task The_rows_of_an_order_wait_while_another_instance_holds_an_earlier_one()
    {
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        await using var host = await Start();
        await Commit(host, (a, 1), (a, 2), (b, 1));
        var first = await host.Query(db => db.Outbox.OrderBy(x => x.Id).Select(x => x.Id).FirstAsync());

        // Another instance's dispatcher has claimed A1 (FOR UPDATE, not yet sent or deleted).
        await using (var other = host.Services.CreateAsyncScope())
        {
            var db = other.ServiceProvider.GetRequiredService<WorkflowDbContext>();
            await using var claim = await db.Database.BeginTransactionAsync();
            (await db.Outbox.FromSqlInterpolated($"SELECT * FROM outbox_messages WHERE id = {first} FOR UPDATE").ToListAsync()).Count.ShouldBe(1);

            (await Dispatcher(host).DeliverDue(CancellationToken.None)).Delivered.ShouldBe(1);
            Sent.Select(n => (n.OrderId, n.Sequence)).ShouldBe([(b, 1)]);
            await claim.RollbackAsync();
        }

        (await Dispatcher(host).DeliverDue(CancellationToken.None)).Delivered.ShouldBe(2);
        Sent.Where(n => n.OrderId == a).Select(n => n.Sequence).ShouldBe([1, 2]);
    }
}

/// <summary>
/// The dispatcher sends the rows of one order one after another in commit order, and different orders side by side.
/// The transport is a send filter that records what reaches it and can hold or refuse a send; the batches are run by
/// the test (the dispatcher's own loop is off), so nothing depends on timing.
/// </summary>
public abstract class OutboxOrderingTests(TestDatabase database) : IAsyncLifetime
{
    protected ConcurrentQueue<OrderNote> Sent { get; } = new();

    private Func<OrderNote, Task> _transport = _ => Task.CompletedTask;

    /// <summary>Holds every send of the order's notes until <c>release</c>; <c>sending</c> completes when the first one arrives.</summary>
    protected (Task Sending, TaskCompletionSource Release) HoldSendsOf(Guid orderId)
    {
        var sending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _transport = async note =>
        {
            if (note.OrderId == orderId)
            {
                sending.TrySetResult();
                await release.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }
        };
        return (sending.Task, release);
    }

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task Each_order_is_sent_in_commit_order_and_the_orders_side_by_side()
    {
        const int orders = 4, notes = 5;
        var ids = Enumerable.Range(0, orders).Select(_ => Guid.NewGuid()).ToList();
        // Each order's first send is held until every order's first send is held: only a dispatcher with the orders in
        // flight side by side gets there. With as many sends in flight as orders, one that sent rows side by side
        // regardless of their order has the second note of the first order in flight beside the first: that note
        // passes, and is recorded, while the first is held.
        using var firstsHeld = new CountdownEvent(orders);
        var allFirstsHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _transport = async note =>
        {
            if (note.Sequence == 1)
            {
                if (firstsHeld.Signal())
                {
                    allFirstsHeld.SetResult();
                }

                await allFirstsHeld.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
        };
        await using var host = await Start(new Dictionary<string, string?>
        {
            ["Outbox:SendConcurrency"] = orders.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Outbox:SendTimeout"] = "00:01:00",
        });
        await Commit(host, [.. ids.SelectMany(id => Enumerable.Range(1, notes).Select(n => (id, n)))]);

        (await Dispatcher(host).DeliverDue(CancellationToken.None)).Delivered.ShouldBe(orders * notes);

        foreach (var id in ids)
        {
            Sent.Where(n => n.OrderId == id).Select(n => n.Sequence).ShouldBe(Enumerable.Range(1, notes), $"order {id}: {string.Join(", ", Sent)}");
        }

        (await host.Query(db => db.Outbox.CountAsync())).ShouldBe(0);
    }

    [Fact]
    public async Task A_row_that_fails_to_send_holds_back_the_later_rows_of_its_order_and_no_other()
    {
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        _transport = note => note.OrderId == a && note.Sequence == 1
            ? throw new InvalidOperationException("The broker refused A1")
            : Task.CompletedTask;
        await using var host = await Start();
        await Commit(host, (a, 1), (b, 1), (a, 2), (b, 2), (a, 3), (b, 3));

        (await Dispatcher(host).DeliverDue(CancellationToken.None)).Delivered.ShouldBe(3);

        Sent.Where(n => n.OrderId == a).ShouldBeEmpty();
        Sent.Where(n => n.OrderId == b).Select(n => n.Sequence).ShouldBe([1, 2, 3]);
        var left = await host.Query(db => db.Outbox.AsNoTracking().OrderBy(x => x.Id).ToListAsync());
        left.Select(x => x.CorrelationId).ShouldAllBe(id => id == a);
        left.Select(x => x.Attempts).ShouldBe([1, 0, 0]);
        left[0].LastError!.ShouldContain("The broker refused A1");
    }

    [Fact]
    public async Task A_commit_during_the_sends_neither_waits_for_them_nor_goes_out_with_their_batch()
    {
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var (sending, release) = HoldSendsOf(a);
        await using var host = await Start(new Dictionary<string, string?> { ["Outbox:SendTimeout"] = "00:01:00" });
        await Commit(host, (a, 1));
        var batch = Dispatcher(host).DeliverDue(CancellationToken.None);
        await sending.WaitAsync(TimeSpan.FromSeconds(30));

        // The broker has not confirmed A1 yet; a transaction commits meanwhile (on SQLite it needs the single writer).
        await Commit(host, (b, 1)).WaitAsync(TimeSpan.FromSeconds(30));
        release.SetResult();

        (await batch).Delivered.ShouldBe(1);
        (await host.Query(db => db.Outbox.Select(x => x.CorrelationId).ToListAsync())).ShouldBe([b], "B1 came after the batch was read");
        (await Dispatcher(host).DeliverDue(CancellationToken.None)).Delivered.ShouldBe(1);
        Sent.Select(n => n.OrderId).ShouldBe([a, b]);
    }

    protected async Task<WorkflowTestHost> Start(IReadOnlyDictionary<string, string?>? settings = null) =>
        await WorkflowTestHost.Start(database, dispatcher: false, settings: settings,
            bus: cfg => cfg.ConfigureSend(send => send.UseExecuteAsync(async context =>
            {
                if (context is SendContext<OrderNote> note)
                {
                    await _transport(note.Message);
                    Sent.Enqueue(note.Message);
                }
            })));

    /// <summary>One transaction per note, in the order given: ids, and so the dispatcher's order, follow commit order.</summary>
    protected static async Task Commit(WorkflowTestHost host, params (Guid OrderId, int Sequence)[] notes)
    {
        foreach (var (orderId, sequence) in notes)
        {
            await host.InTransaction(sp => Task.FromResult(sp.GetRequiredService<OutboxWriter>().Publish(new OrderNote(orderId, sequence))));
        }
    }

    protected static OutboxDispatcher Dispatcher(WorkflowTestHost host) =>
        host.Services.GetServices<IHostedService>().OfType<OutboxDispatcher>().Single();
}
