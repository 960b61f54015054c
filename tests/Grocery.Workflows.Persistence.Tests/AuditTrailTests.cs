using System.Data.Common;
using System.Text.Json.Nodes;
using Grocery.Workflows.Persistence.Audit;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Persistence.Tests;

public sealed class SqliteAuditTrailTests() : AuditTrailTests(new SqliteTestDatabase());

public sealed class PostgresAuditTrailTests() : AuditTrailTests(new PostgresTestDatabase());

/// <summary>
/// audit_log is append-only in the database itself: its migration's trigger rejects UPDATE and DELETE (and TRUNCATE on
/// PostgreSQL) whoever sends them, and the context refuses to save a changed or removed entry.
/// </summary>
public abstract class AuditTrailTests(TestDatabase database) : IAsyncLifetime
{
    private static readonly AuditedAction Action = new(
        new AuditActor("ops-olivia", "Olivia Ops", "ops", "4bf92f3577b34da6a3ce929d0e0e4736"), AuditActions.JobPause, "slot-generation");

    private long _id;

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        await using var db = Context();
        await db.Database.MigrateAsync();
        var entry = AuditTrail.Entry(Action, AuditOutcomes.Accepted, new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
        db.AuditLog.Add(entry);
        await db.SaveChangesAsync();
        _id = entry.Id;
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    private WorkflowDbContext Context() => database.Provider == PersistenceProvider.PostgreSql
        ? new PostgresWorkflowDbContext(new DbContextOptionsBuilder<PostgresWorkflowDbContext>().UseNpgsql(database.ConnectionString).Options)
        : new SqliteWorkflowDbContext(new DbContextOptionsBuilder<SqliteWorkflowDbContext>().UseSqlite(database.ConnectionString).Options);

    [Fact]
    public async Task The_database_rejects_UPDATE_and_DELETE_of_audit_rows()
    {
        await using var db = Context();

        var update = await Should.ThrowAsync<DbException>(() =>
            db.AuditLog.Where(e => e.Id == _id).ExecuteUpdateAsync(s => s.SetProperty(e => e.Outcome, "refused: never mind")));
        var delete = await Should.ThrowAsync<DbException>(() => db.AuditLog.Where(e => e.Id == _id).ExecuteDeleteAsync());
        var deleteAll = await Should.ThrowAsync<DbException>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM audit_log"));

        update.Message.ShouldContain("audit_log is append-only: UPDATE is not allowed");
        delete.Message.ShouldContain("audit_log is append-only: DELETE is not allowed");
        deleteAll.Message.ShouldContain("audit_log is append-only: DELETE is not allowed");
        if (database.Provider == PersistenceProvider.PostgreSql)
        {
            (await Should.ThrowAsync<DbException>(() => db.Database.ExecuteSqlRawAsync("TRUNCATE audit_log"))).Message
                .ShouldContain("audit_log is append-only: TRUNCATE is not allowed");
        }

        var row = await db.AuditLog.AsNoTracking().SingleAsync();
        (row.Id, row.Outcome, row.Subject, row.TraceId).ShouldBe((_id, AuditOutcomes.Accepted, "ops-olivia", "4bf92f3577b34da6a3ce929d0e0e4736"));
    }

    [Fact]
    public async Task Inserting_still_works_and_ids_ascend()
    {
        await using var db = Context();
        var next = AuditTrail.Entry(Action with { Action = AuditActions.JobResume }, AuditOutcomes.Accepted, DateTimeOffset.UtcNow);
        db.AuditLog.Add(next);
        await db.SaveChangesAsync();

        next.Id.ShouldBeGreaterThan(_id);
    }

    [Fact]
    public async Task The_context_refuses_to_save_a_removed_or_changed_entry()
    {
        await using (var db = Context())
        {
            db.AuditLog.Remove(await db.AuditLog.SingleAsync());
            (await Should.ThrowAsync<InvalidOperationException>(() => db.SaveChangesAsync())).Message
                .ShouldBe($"audit_log is append-only: audit entry {_id} cannot be deleted.");
        }

        await using (var db = Context())
        {
            db.Entry(await db.AuditLog.SingleAsync()).Property(e => e.Outcome).CurrentValue = "refused: never mind";
            (await Should.ThrowAsync<InvalidOperationException>(() => db.SaveChangesAsync())).Message
                .ShouldBe($"audit_log is append-only: audit entry {_id} cannot be changed.");
        }

        await using (var db = Context())
        {
            db.AuditLog.Update(new AuditEntry { Id = _id, Subject = "ops-olivia", Action = AuditActions.JobPause, Outcome = AuditOutcomes.Failed("rewritten") });
            await Should.ThrowAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        }

        await using (var db = Context())
        {
            (await db.AuditLog.AsNoTracking().SingleAsync()).Outcome.ShouldBe(AuditOutcomes.Accepted);
        }
    }
}

public sealed class AuditEntryTests
{
    private static readonly AuditActor Actor = new("ops-olivia", null, "ops", null);

    [Fact]
    public void Text_is_cut_to_its_column_and_control_and_format_characters_are_replaced()
    {
        var entry = AuditTrail.Entry(
            new AuditedAction(Actor, AuditActions.JobPause, "slot\u0000gen\u202Eeration" + new string('x', 300), "tst-01\n"),
            AuditOutcomes.Refused(new string('y', 400)), DateTimeOffset.UtcNow);

        entry.Target.Length.ShouldBe(AuditTrail.TargetLength);
        entry.Target.ShouldStartWith("slot\uFFFDgen\uFFFDeration");
        entry.Target.ShouldEndWith("…");
        entry.StoreId.ShouldBe("tst-01\uFFFD");
        entry.Outcome.Length.ShouldBe(AuditTrail.OutcomeLength);
    }

    [Fact]
    public void A_cut_never_splits_a_surrogate_pair_and_short_text_is_kept_whole()
    {
        var emoji = string.Concat(Enumerable.Repeat("\U0001F6D2", 20));
        var entry = AuditTrail.Entry(new AuditedAction(Actor, AuditActions.JobRun, emoji, "tst-01" + emoji), AuditOutcomes.Accepted, DateTimeOffset.UtcNow);

        entry.Target.ShouldBe(emoji, "40 UTF-16 characters fit");
        entry.StoreId!.Length.ShouldBeLessThanOrEqualTo(AuditTrail.StoreIdLength);
        entry.StoreId.ShouldEndWith("\U0001F6D2…");
    }

    [Fact]
    public void Parameters_are_a_JSON_object_and_too_long_ones_are_left_out_whole()
    {
        var small = AuditTrail.Entry(new AuditedAction(Actor, AuditActions.StoreClose, "tst-01/2026-12-10", "tst-01", new JsonObject { ["reason"] = "Stocktake" }),
            AuditOutcomes.Accepted, DateTimeOffset.UtcNow);
        var large = AuditTrail.Entry(new AuditedAction(Actor, AuditActions.StoreClose, "tst-01/2026-12-10", "tst-01", new JsonObject { ["reason"] = new string('r', 3000) }),
            AuditOutcomes.Accepted, DateTimeOffset.UtcNow);

        small.Parameters.ShouldBe("""{"reason":"Stocktake"}""");
        large.Parameters.ShouldBe("""{"omitted":"the parameters were longer than 2000 characters"}""");
    }
}
