using Grocery.Workflows.Contracts;
using Grocery.Workflows.Messaging;
using Grocery.Workflows.Persistence.Catalog;
using Grocery.Workflows.Persistence.Jobs;
using Grocery.Workflows.Persistence.Slots;
using Grocery.Workflows.Persistence.Stock;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Persistence.Tests;

public sealed class SqliteScheduledJobTests() : ScheduledJobTests(new SqliteTestDatabase());

public sealed class PostgresScheduledJobTests() : ScheduledJobTests(new PostgresTestDatabase());

/// <summary>
/// The work of the two scheduled jobs and the record of their runs, on a real database: slot generation against
/// templates, closures, time zones and bookings; reconciliation of a known ledger against known counts; one active run.
/// </summary>
public abstract class ScheduledJobTests(TestDatabase database) : IAsyncLifetime
{
    // 2026-11-26 23:30 UTC: already the 27th in Ho Chi Minh City (UTC+7) and Singapore (UTC+8).
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 23, 30, 0, TimeSpan.Zero);
    private static readonly string[] Skus = ["A", "B", "C", "D"];
    private static readonly string[] StoreIds = ["hcm", "sgp"];
    private readonly SettableClock _clock = new(Now);
    private WorkflowTestHost _host = null!;

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        _host = await WorkflowTestHost.Start(database, dispatcher: false, services: s => s.AddSingleton<TimeProvider>(_clock));
        await _host.InTransaction(async sp =>
        {
            var db = sp.GetRequiredService<WorkflowDbContext>();
            db.Stores.AddRange(
                new Store { StoreId = "hcm", Name = "HCM", City = "Ho Chi Minh City", TimeZone = "Asia/Ho_Chi_Minh", Currency = "VND", PriceFactor = 254m, PriceRounding = 100 },
                new Store { StoreId = "sgp", Name = "SGP", City = "Singapore", TimeZone = "Asia/Singapore", Currency = "SGD", PriceFactor = 1.35m });
            foreach (var sku in Skus)
            {
                db.Products.Add(new Product { Sku = sku, Name = sku, Category = "Test", Unit = SaleUnit.Each, BasePriceUsCents = 100 });
            }

            // Two windows on weekdays, one on Sundays, at each store.
            foreach (var store in StoreIds)
            {
                foreach (var day in Enum.GetValues<DayOfWeek>())
                {
                    db.SlotTemplates.Add(new SlotTemplate { StoreId = store, DayOfWeek = day, LocalStart = new TimeOnly(9, 0), Capacity = 10, CutOffMinutes = 60 });
                    if (day != DayOfWeek.Sunday)
                    {
                        db.SlotTemplates.Add(new SlotTemplate { StoreId = store, DayOfWeek = day, LocalStart = new TimeOnly(18, 0), Capacity = 30, CutOffMinutes = 120 });
                    }
                }
            }

            await db.SaveChangesAsync();
            return true;
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await database.DisposeAsync();
    }

    [Fact]
    public async Task Slot_generation_makes_each_stores_local_days_from_its_templates_once()
    {
        var first = await Generate(14);

        // 27 Nov 2026 (a Friday) .. 10 Dec locally: two Sundays with one window, twelve days with two; two stores.
        first.ShouldBe(new SlotGenerationResult(2, 14, 2 * ((12 * 2) + 2), 0, 0, new DateOnly(2026, 12, 10)));
        (await Generate(14)).Created.ShouldBe(0, "a second run finds every slot there");

        var slots = await _host.Query(db => db.DeliverySlots.AsNoTracking().ToListAsync());
        var hcm = slots.Where(s => s.StoreId == "hcm").OrderBy(s => s.WindowStart).First();
        hcm.WindowStart.ShouldBe(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.FromHours(7)), "09:00 in Ho Chi Minh City on its local today");
        hcm.CutOffAt.ShouldBe(hcm.WindowStart.AddMinutes(-60));
        var sgpEvening = slots.Where(s => s.StoreId == "sgp").OrderBy(s => s.WindowStart).Skip(1).First();
        sgpEvening.WindowStart.ShouldBe(new DateTimeOffset(2026, 11, 27, 18, 0, 0, TimeSpan.FromHours(8)));
        (sgpEvening.Capacity, sgpEvening.WindowEnd - sgpEvening.WindowStart).ShouldBe((30, TimeSpan.FromHours(1)));
        slots.Where(s => s.StoreId == "hcm" && s.WindowStart.ToOffset(TimeSpan.FromHours(7)).DayOfWeek == DayOfWeek.Sunday)
            .ShouldAllBe(s => s.Capacity == 10, "Sundays have the morning window only");

        _clock.UtcNow = Now.AddDays(1);
        (await Generate(14)).Created.ShouldBe(2 * 2, "the next night adds the new last day (a Friday, two windows) at each store");
    }

    [Fact]
    public async Task Slot_generation_skips_closed_days_and_removes_their_slots_unless_booked()
    {
        await Generate(14);
        var closed = new DateOnly(2026, 12, 1);
        var (start, end) = (new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.FromHours(7)), new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.FromHours(7)));
        var booked = await _host.Query(db => db.DeliverySlots.Where(s => s.StoreId == "hcm" && s.WindowStart >= start && s.WindowStart < end)
            .OrderBy(s => s.WindowStart).FirstAsync());
        await _host.InTransaction(async sp =>
        {
            var db = sp.GetRequiredService<WorkflowDbContext>();
            await db.DeliverySlots.Where(s => s.SlotId == booked.SlotId).ExecuteUpdateAsync(s => s.SetProperty(x => x.Confirmed, 1));
            db.SlotHolds.Add(new SlotHold { ReservationId = Guid.NewGuid(), OrderId = Guid.NewGuid(), SlotId = booked.SlotId, Status = SlotHoldStatus.Confirmed, CreatedAt = Now, ChangedAt = Now });
            db.StoreClosures.Add(new StoreClosure { StoreId = "hcm", Date = closed, Reason = "Stock-take" });
            db.StoreClosures.Add(new StoreClosure { StoreId = "hcm", Date = new DateOnly(2026, 12, 9), Reason = "Holiday" });
            await db.SaveChangesAsync();
            // The far closed day has no slot yet: its slots were made, then taken off, to see that it stays empty.
            await db.DeliverySlots.Where(s => s.StoreId == "hcm" && s.WindowStart >= start.AddDays(8) && s.WindowStart < end.AddDays(8)).ExecuteDeleteAsync();
            return true;
        });

        var result = await Generate(14);

        (result.ClosedDays, result.Removed, result.Created).ShouldBe((2, 1, 0), "the booked slot stays; the other of that day goes; nothing is made on either day");
        var left = await _host.Query(db => db.DeliverySlots.Where(s => s.StoreId == "hcm" && s.WindowStart >= start && s.WindowStart < end).ToListAsync());
        left.Select(s => s.SlotId).ShouldBe([booked.SlotId]);
        (await _host.Query(db => db.DeliverySlots.CountAsync(s => s.StoreId == "sgp" && s.WindowStart >= start.AddHours(-1) && s.WindowStart < end.AddHours(-1))))
            .ShouldBe(2, "a closure is one store's");
    }

    [Fact]
    public async Task Slot_generation_covers_only_the_stores_asked_for()
    {
        var result = await _host.InTransaction(sp => sp.GetRequiredService<DeliverySlotGenerator>().GenerateAsync(3, ["sgp"], CancellationToken.None));

        result.Stores.ShouldBe(1);
        (await _host.Query(db => db.DeliverySlots.Select(s => s.StoreId).Distinct().ToListAsync())).ShouldBe(["sgp"]);
    }

    [Fact]
    public async Task Reconciliation_writes_the_exact_differences_against_the_book_at_count_time()
    {
        var t0 = Now.AddHours(-10);
        var counted = Now.AddHours(-6);
        var t2 = Now.AddHours(-2);
        await _host.InTransaction(async sp =>
        {
            var db = sp.GetRequiredService<WorkflowDbContext>();
            db.StockBalances.AddRange(
                Balance("hcm", "A", 100, t0), // untouched since before the count
                Balance("hcm", "B", 45, t2), // 5 picked after the count: the book said 50 then
                Balance("hcm", "C", 10, t2), // 4 received before the count, 3 after: the book said 7 then
                Balance("sgp", "A", 20, t0));
            db.StockLedger.AddRange(
                Entry("hcm", "B", StockMovement.Picked, 5, t2),
                Entry("hcm", "B", StockMovement.Reserved, 99, t2), // reservations do not move on-hand
                Entry("hcm", "C", StockMovement.Received, 4, t0),
                Entry("hcm", "C", StockMovement.Received, 3, t2));
            await db.SaveChangesAsync();
            return true;
        });
        var imported = await Import(
            ("hcm", "A", 100m, counted),
            ("hcm", "B", 48m, counted),
            ("hcm", "C", 7m, counted),
            ("hcm", "D", 3.25m, counted), // on the shelf, unknown to the ledger
            ("sgp", "A", 20m, counted));
        imported.ShouldBe(new StockCountImportResult(5, 5, 0));

        var run = Guid.NewGuid();
        var progress = new List<(long Done, long Total)>();
        var result = await Reconciler(batchSize: 2).Reconcile(run, null, (done, total) =>
        {
            progress.Add((done, total));
            return Task.CompletedTask;
        }, CancellationToken.None);

        result.Compared.ShouldBe(5);
        result.Adjusted.ShouldBe(2);
        result.AccuracyPercent.ShouldBe(60.00m);
        result.Stores.ShouldBe([new StoreAccuracy("hcm", 4, 2, 2, 5.25m, 50.00m), new StoreAccuracy("sgp", 1, 1, 0, 0m, 100.00m)]);
        progress[0].ShouldBe((0, 5));
        progress[^1].ShouldBe((5, 5));
        progress.Count.ShouldBe(4, "hcm in two batches of two SKUs, sgp in one");

        var balances = await _host.Query(db => db.StockBalances.AsNoTracking().Where(b => b.StoreId == "hcm").OrderBy(b => b.Sku).ToListAsync());
        balances.Select(b => (b.Sku, b.OnHandMilli)).ShouldBe([("A", 100_000L), ("B", 43_000L), ("C", 10_000L), ("D", 3_250L)]);
        var adjustments = await _host.Query(db => db.StockLedger.AsNoTracking().Where(l => l.Movement == StockMovement.Adjusted).OrderBy(l => l.Sku).ToListAsync());
        adjustments.Select(a => (a.StoreId, a.Sku, a.QuantityMilli, a.At)).ShouldBe([("hcm", "B", -2_000L, counted), ("hcm", "D", 3_250L, counted)]);
        adjustments[0].Note.ShouldBe($"count 48 vs book 50, run {run:N}");
        (await _host.Query(db => db.StockCounts.CountAsync(c => c.ReconciledRunId == run))).ShouldBe(5);

        // Nothing waits any more; a newer count of B agrees with the adjusted book (the adjustment is dated at its count).
        (await Reconciler().Reconcile(Guid.NewGuid(), null, (_, _) => Task.CompletedTask, CancellationToken.None)).Compared.ShouldBe(0);
        (await Import(("hcm", "B", 43m, Now), ("hcm", "C", 1m, counted.AddHours(-1)))).ShouldBe(new StockCountImportResult(2, 1, 1), "an older count than the one kept is ignored");
        var again = await Reconciler().Reconcile(Guid.NewGuid(), ["hcm"], (_, _) => Task.CompletedTask, CancellationToken.None);
        (again.Compared, again.Adjusted, again.AccuracyPercent).ShouldBe((1, 0, 100.00m));
    }

    [Fact]
    public async Task Import_refuses_a_whole_file_for_one_bad_line()
    {
        var rejected = await Should.ThrowAsync<StockCountRejectedException>(() => Import(("hcm", "A", 1m, Now), ("hcm", "Z", 1m, Now)));
        rejected.Line.ShouldBe(2);
        (await Should.ThrowAsync<StockCountRejectedException>(() => Import(("hcm", "A", 1.0001m, Now)))).Message.ShouldContain("three decimals");
        (await Should.ThrowAsync<StockCountRejectedException>(() => Import(("hcm", "A", -1m, Now)))).Message.ShouldContain("between 0");
        (await Should.ThrowAsync<StockCountRejectedException>(() => Import(("xxx", "A", 1m, Now)))).Message.ShouldContain("no store");
        (await Should.ThrowAsync<StockCountRejectedException>(() => Import(("hcm", "A", 1m, Now.AddHours(1))))).Message.ShouldContain("future");
        (await Should.ThrowAsync<StockCountRejectedException>(() => Import(("hcm", "A", 1m, Now.AddDays(-32))))).Message.ShouldContain("days old");
        (await _host.Query(db => db.StockCounts.CountAsync())).ShouldBe(0);

        // A device clock two minutes fast: the count is taken as of its arrival.
        await Import(("hcm", "A", 1m, Now.AddMinutes(2)));
        (await _host.Query(db => db.StockCounts.SingleAsync())).CountedAt.ShouldBe(Now);
    }

    [Fact]
    public async Task Only_one_run_of_a_job_is_active_at_a_time()
    {
        var runs = Runs();
        var requests = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => runs.Request("slot-generation", JobScope.AllStores, CancellationToken.None))));

        var queued = requests.Where(r => r is not null).ToList();
        queued.Count.ShouldBe(1);
        (await runs.Begin(null, "slot-generation", JobRunTrigger.Scheduled, new JobScope(null, "Asia/Singapore"), Now, "b", CancellationToken.None))
            .ShouldBeNull("a scheduled firing while a run is queued is skipped");
        (await runs.Request("stock-reconciliation", JobScope.AllStores, CancellationToken.None)).ShouldNotBeNull("another job is not blocked");

        var started = await runs.Begin(queued[0]!.RunId, "slot-generation", JobRunTrigger.Manual, JobScope.AllStores, null, "a", CancellationToken.None);
        started!.Status.ShouldBe(JobRunStatus.Running);
        await runs.Progress(started.RunId, 3, 5, CancellationToken.None);
        await runs.Succeed(started.RunId, new { created = 7 }, CancellationToken.None);
        var done = await runs.Find(started.RunId, CancellationToken.None);
        (done!.Status, done.ProgressDone, done.ProgressTotal, done.Summary, done.Instance).ShouldBe((JobRunStatus.Succeeded, 3L, 5L, "{\"created\":7}", "a"));
        (await runs.Request("slot-generation", JobScope.AllStores, CancellationToken.None)).ShouldNotBeNull("the next run starts once the last finished");
    }

    [Fact]
    public async Task A_run_that_stops_reporting_is_abandoned_and_no_longer_blocks()
    {
        var runs = Runs();
        var stuck = await runs.Begin(null, "stock-reconciliation", JobRunTrigger.Scheduled, JobScope.AllStores, Now, "dead", CancellationToken.None);
        _clock.UtcNow = Now.AddMinutes(4);
        (await runs.Request("stock-reconciliation", JobScope.AllStores, CancellationToken.None)).ShouldBeNull("four minutes without a report is not yet stale");

        _clock.UtcNow = Now.AddMinutes(6);
        var next = await runs.Request("stock-reconciliation", JobScope.AllStores, CancellationToken.None);

        next.ShouldNotBeNull();
        var abandoned = await runs.Find(stuck!.RunId, CancellationToken.None);
        abandoned!.Status.ShouldBe(JobRunStatus.Failed);
        abandoned.Error!.ShouldStartWith("Abandoned");
        (await runs.AbandonAllActive(CancellationToken.None)).ShouldBe(1, "the queued run, on a restart of a single instance");
    }

    private Task<SlotGenerationResult> Generate(int days) =>
        _host.InTransaction(sp => sp.GetRequiredService<DeliverySlotGenerator>().GenerateAsync(days, CancellationToken.None));

    // The import takes the write gate and opens its transactions itself.
    private async Task<StockCountImportResult> Import(params (string Store, string Sku, decimal Quantity, DateTimeOffset At)[] counts)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StockCountImport>().Import(
            _ => counts.Select((c, i) => new StockCountLine(i + 1, c.Store, c.Sku, c.Quantity, c.At)).ToAsyncEnumerable(),
            CancellationToken.None, CancellationToken.None);
    }

    private StockReconciler Reconciler(int batchSize = 5000) =>
        new(_host.Services.GetRequiredService<IServiceScopeFactory>(), _host.Services.GetRequiredService<WriteGate>(), _clock) { BatchSize = batchSize };

    private JobRuns Runs() => new(_host.Services.GetRequiredService<IServiceScopeFactory>(), _host.Services.GetRequiredService<WriteGate>(), _clock);

    private static StockBalance Balance(string store, string sku, decimal onHand, DateTimeOffset at) =>
        new() { StoreId = store, Sku = sku, OnHandMilli = Milli.From(onHand), UpdatedAt = at };

    private static StockLedgerEntry Entry(string store, string sku, StockMovement movement, decimal quantity, DateTimeOffset at) =>
        new() { StoreId = store, Sku = sku, Movement = movement, QuantityMilli = Milli.From(quantity), At = at };

    private sealed class SettableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset UtcNow { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => UtcNow;
    }
}
