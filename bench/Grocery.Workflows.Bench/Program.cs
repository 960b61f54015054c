using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Grocery.Workflows.Bench;
using Npgsql;

// The whole engine under load: real host processes on loopback, on the production stack (PostgreSQL, RabbitMQ,
// Redis) and on the embedded default. Prints a table, then one JSON line.
// Usage: bench [--quick] [--throughput-only] [--reconciliation-only] [--embedded-only] [--idle-only] [--intake-only] [--retention-only]
//   (the last six run one scenario: for profiling)
var quick = args.Contains("--quick");
var throughputOnly = args.Contains("--throughput-only");
var reconciliationOnly = args.Contains("--reconciliation-only");
var embeddedOnly = args.Contains("--embedded-only");
var idleOnly = args.Contains("--idle-only");
var intakeOnly = args.Contains("--intake-only");
var retentionOnly = args.Contains("--retention-only");
var repository = Repository();
var report = new Report(quick ? "quick" : "full");
var scale = quick ? 1 : 3;

// Every order goes through all five sagas: every line short, every substitute approved, no courier no-show, no delays.
var simulator = new Dictionary<string, string>
{
    ["Simulation__StepDelay"] = "00:00:00",
    ["Simulation__ShortageRate"] = "1",
    ["Simulation__ApprovalRate"] = "1",
    ["Simulation__CourierNoShowRate"] = "0",
    ["Slots__RepairInterval"] = "00:00:01",
    // The retention phase's archive: a directory of this run's own, removed at the end.
    ["Retention__ArchivePath"] = Path.Combine(Path.GetTempPath(), $"grocery-bench-archive-{Environment.ProcessId}"),
};

// The retention job alone, on a history of finished orders: for a look at its cost without the whole run.
if (retentionOnly)
{
    await using var backends = await Backends.Create("retention");
    var environment = new Dictionary<string, string>(backends.Environment);
    foreach (var (key, value) in simulator)
    {
        environment[key] = value;
    }

    await using var engine = await Engine.Start(repository, environment);
    await RoomyStore(backends);
    var storefront = await Storefront.Open(engine.Client);
    Progress("retention: orders, then a history of copies");
    await Load.ClosedLoop(quick ? 300 : 1000, 64, i => storefront.Place(i));
    await WaitForEnd(engine, TimeSpan.FromSeconds(600));
    await History.Grow(backends.ConnectionString, quick ? 10_000 : 30_000);
    Progress("retention: one run of the job");
    var retention = await RetentionBench.Run(engine.Client, backends.ConnectionString);
    report.Add("retention_orders_per_s", retention.Archived / retention.Seconds, "report", null, RetentionBench.Describe(retention));
    report.Print();
    DeleteArchive(simulator);
    return 0;
}

// The nightly stock reconciliation: a count of every SKU at 20 stores (1,000,000 rows) on PostgreSQL.
if (!embeddedOnly && !idleOnly && !intakeOnly)
{
    await using var backends = await Backends.Create("recon");
    Progress("reconciliation: 1,000,000 counted rows");
    await using var engine = await Engine.Start(repository, backends.Environment);
    var figures = await Reconciliation.Run(engine.Client, backends.ConnectionString, stores: 20);
    report.Add("reconcile_1m_s", figures.ReconcileSeconds, "<= 60", figures.ReconcileSeconds <= 60 && figures.Compared == figures.Rows,
        $"{figures.Compared:N0} counts compared, {figures.Adjusted:N0} adjusted, accuracy {figures.AccuracyPercent} %");
    report.Add("counts_import_1m_s", figures.ImportSeconds, "report", null, $"POST /api/stock/counts, {figures.Rows:N0} CSV rows");
    if (reconciliationOnly)
    {
        report.Print();
        return 0;
    }
}

if (!embeddedOnly)
{
    await using var backends = await Backends.Create("prod");
    var environment = new Dictionary<string, string>(backends.Environment);
    foreach (var (key, value) in simulator)
    {
        environment[key] = value;
    }

    await using var engine = await Engine.Start(repository, environment);
    using var sampler = new Sampler(engine);
    await RoomyStore(backends);
    var storefront = await Storefront.Open(engine.Client);

    // Warm-up: a long-running engine has its code compiled and its caches filled; a fresh one spends its first
    // minute in the JIT. The figures below are for the warm engine.
    Progress("warm-up");
    await Load.ClosedLoop(quick ? 60 : 300, 64, i => storefront.Place(900_000 + i));
    await WaitForEnd(engine, TimeSpan.FromSeconds(300));
    if (intakeOnly)
    {
        Progress("POST /api/orders at 200/s, with what PostgreSQL's sessions wait on");
        using var waits = new WaitSampler(backends.ConnectionString);
        var (intake, intakeFailures) = await Load.AtRate(200, TimeSpan.FromSeconds(2), i => storefront.Place(200_000 + i));
        report.Add("post_orders_p99_ms", intake.P99, "<= 25", intake.P99 <= 25 && intakeFailures == 0, $"POST /api/orders at 200/s (202); p50 {intake.P50:F2}, failures {intakeFailures}");
        await waits.Print();
        report.Print();
        return 0;
    }

    if (idleOnly)
    {
        Progress("one order at a time: 20 orders, hop by hop");
        storefront.Sent.Clear();
        var idleOrders = await OneAtATime.Run(storefront, new PostgresTimeline(backends.ConnectionString), 20, 300_000, () => WaitForEnd(engine, TimeSpan.FromSeconds(120)));
        report.Add("idle_confirm_p50_ms", idleOrders.Confirm.P50, "<= 50", idleOrders.Confirm.P50 <= 50, $"POST to Confirmed, one order at a time; p99 {idleOrders.Confirm.P99:F1}");
        await Hops.Print(backends.ConnectionString, storefront);
        report.Print();
        return 0;
    }

    // Throughput: a backlog of orders posted by 64 clients at once, until every one has ended.
    var throughputOrders = quick ? 300 : 1000;
    Progress($"throughput: {throughputOrders} orders");
    var throughput = await Throughput(engine, storefront, backends, throughputOrders);
    var (ordersPerSecond, transitionsPerSecond) = (throughput.OrdersPerSecond, throughput.TransitionsPerSecond);
    report.Add("orders_per_s", ordersPerSecond, ">= 150", ordersPerSecond >= 150, $"{throughputOrders} orders through all five sagas");
    var messages = throughput.Consumed.Values.Sum() / (double)throughput.Completed;
    report.Add("messages_per_order", messages, "<= 15", messages <= 15, $"new inbox rows (one per message and consumer) per completed order in that run");
    foreach (var (consumer, consumed) in throughput.Consumed.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal))
    {
        report.Add($"  {consumer}", consumed / (double)throughput.Completed, "report", null, "messages per order consumed by it", json: false);
    }

    if (throughputOnly)
    {
        report.Print();
        return 0;
    }

    var pgUpdates = await UpdateLoop(backends.ConnectionString, TimeSpan.FromSeconds(quick ? 3 : 5));
    report.Add("transitions_per_s", transitionsPerSecond, "report", null, "saga transitions (timeline rows) per second in that run");
    report.Add("pg_update_tps", pgUpdates, "report", null, "single-row UPDATE loop, one connection, autocommit, same server");
    var ratio = transitionsPerSecond / pgUpdates;
    report.Add("transitions_to_update_ratio", ratio, ">= 0.25", ratio >= 0.25, "transitions_per_s / pg_update_tps", json: false);

    // An idle engine: one order at a time, each posted once the one before is confirmed.
    Progress("one order at a time: 20 orders");
    var idle = await OneAtATime.Run(storefront, new PostgresTimeline(backends.ConnectionString), 20, 300_000, () => WaitForEnd(engine, TimeSpan.FromSeconds(120)));
    report.Add("idle_confirm_p50_ms", idle.Confirm.P50, "<= 50", idle.Confirm.P50 <= 50, $"POST to Confirmed, one order at a time, {idle.Confirm.Count} orders; p99 {idle.Confirm.P99:F1}");
    report.Add("idle_complete_p50_ms", idle.Complete.P50, "report", null, $"POST to Completed, same orders; p99 {idle.Complete.P99:F1}", json: false);

    // Latency at a steady 50 orders/s, below the capacity the engine is meant to have.
    Progress("latency at 50 orders/s");
    storefront.Sent.Clear();
    await Load.AtRate(50, TimeSpan.FromSeconds(10), i => storefront.Place(400_000 + i));
    await WaitForEnd(engine, TimeSpan.FromSeconds(300));
    var confirmAt50 = await Since(backends, storefront, "Order", "'Confirmed'");
    report.Add("confirm_p99_at_50_ms", confirmAt50.P99, "<= 500", confirmAt50.P99 <= 500, $"POST to Confirmed at 50 orders/s for 10 s; p50 {confirmAt50.P50:F1}");

    // Latency at a steady 100 orders/s.
    var steady = TimeSpan.FromSeconds(quick ? 2 : 10);
    Progress("latency at 100 orders/s");
    storefront.Sent.Clear();
    await Load.AtRate(100, steady, i => storefront.Place(100_000 + i));
    await WaitForEnd(engine, TimeSpan.FromSeconds(120));
    var confirm = await Since(backends, storefront, "Order", "'Confirmed'");
    var complete = await Since(backends, storefront, "Order", "'Completed'");
    report.Add("confirm_p99_ms", confirm.P99, "<= 250", confirm.P99 <= 250, $"POST to Confirmed at 100 orders/s for {steady.TotalSeconds} s; p50 {confirm.P50:F1}");
    report.Add("complete_p99_ms", complete.P99, "report", null, $"POST to Completed, same run; p50 {complete.P50:F1}");

    // Slot availability at 1,000 requests/s.
    Progress("GET /api/slots at 1,000/s, POST /api/orders at 200/s");
    var date = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    var slotsUri = new Uri($"/api/slots?storeId={storefront.Store}&date={date}", UriKind.Relative);
    var (slots, slotFailures) = await Load.AtRate(1000, TimeSpan.FromSeconds(5 * scale), async _ =>
    {
        using var response = await engine.Client.GetAsync(slotsUri);
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync();
    });
    report.Add("slots_p99_ms", slots.P99, "<= 10", slots.P99 <= 10 && slotFailures == 0, $"GET /api/slots at 1,000/s; p50 {slots.P50:F2}, failures {slotFailures}");

    // Order intake at 200 requests/s.
    var (posts, postFailures) = await Load.AtRate(200, TimeSpan.FromSeconds(quick ? 2 : 5), i => storefront.Place(200_000 + i));
    report.Add("post_orders_p99_ms", posts.P99, "<= 25", posts.P99 <= 25 && postFailures == 0, $"POST /api/orders at 200/s (202); p50 {posts.P50:F2}, failures {postFailures}");
    await WaitForEnd(engine, TimeSpan.FromSeconds(120));

    // Every order so far has ended: what they left in the database.
    var orders = await Sql.Scalar(backends.ConnectionString, "SELECT count(*) FROM order_sagas");
    var bytes = await Sql.Scalar(backends.ConnectionString,
        "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
        "WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname NOT IN ('products', 'stock_balances', 'slot_templates', 'stores', '__EFMigrationsHistory')");
    var rows = await Sql.Scalar(backends.ConnectionString,
        "SELECT (SELECT count(*) FROM order_sagas) + (SELECT count(*) FROM slot_reservation_sagas) + (SELECT count(*) FROM picking_sagas) + " +
        "(SELECT count(*) FROM substitution_sagas) + (SELECT count(*) FROM delivery_sagas) + (SELECT count(*) FROM saga_timeline) + " +
        "(SELECT count(*) FROM inbox_messages) + (SELECT count(*) FROM stock_ledger) + (SELECT count(*) FROM slot_holds) + (SELECT count(*) FROM order_requests)");
    report.Add("rows_per_order", (double)rows / orders, "<= 40", (double)rows / orders <= 40, "sagas, timeline, inbox, ledger, holds, requests");
    report.Add("bytes_per_order", (double)bytes / orders, "report", null, "those tables with indexes (catalogue excluded)", json: false);

    // The rush: 5,000 orders at once on ten slots of 50 places.
    Progress("rush: 5,000 orders on 500 places");
    var rush = await Rush(engine, backends);
    report.Add("rush_successes", rush.Successes, "exactly 500", rush.Successes == 500 && !rush.Overbooked,
        $"5,000 concurrent orders on 10 slots x 50: {rush.Accepted} answered 202, {rush.Refused} answered 422; overbooked: {rush.Overbooked}");
    report.Add("rush_p99_ms", rush.Answers.P99, "<= 50", rush.Answers.P99 <= 50, $"POST's answer (202 or 422), all 5,000; p50 {rush.Answers.P50:F1}");
    report.Add("rush_decision_p99_ms", rush.Decisions.P99, "report", null, $"POST to the slot saga's Held or Unavailable, the {rush.Decisions.Count} accepted orders; p50 {rush.Decisions.P50:F1}", json: false);

    report.Add("working_set_mb", engine.PeakWorkingSetMb, "<= 400", engine.PeakWorkingSetMb <= 400, "peak of the engine process over all of the above");


    if (!quick)
    {
        await WaitForEnd(engine, TimeSpan.FromSeconds(600));
        foreach (var rate in new[] { 25, 50, 100, 200, 400 })
        {
            var offset = 1_000_000 * rate;
            storefront.Sent.Clear();
            await Load.AtRate(rate, TimeSpan.FromSeconds(5), i => storefront.Place(offset + i));
            await WaitForEnd(engine, TimeSpan.FromSeconds(600));
            var atRate = await Since(backends, storefront, "Order", "'Confirmed'");
            var done = await Since(backends, storefront, "Order", "'Completed'");
            report.Add($"confirm_p99_ms_at_{rate}", atRate.P99, "report", null, $"p50 {atRate.P50:F1}; to Completed p50 {done.P50:F1}, p99 {done.P99:F1}", json: false);
        }

        // How cost grows with the history: the database is filled with copies of finished orders' rows up to 30k and
        // 100k orders (the run's own phases leave about 12k), and 200 new orders are timed at each size.
        foreach (var size in new[] { 30_000, 100_000 })
        {
            Progress($"history of {size} orders");
            await History.Grow(backends.ConnectionString, size);
            storefront.Sent.Clear();
            engine.ResetPeak();
            var clock = Stopwatch.StartNew();
            await Load.ClosedLoop(200, 64, i => storefront.Place(3_000_000 + size + i));
            await WaitForEnd(engine, TimeSpan.FromSeconds(600));
            var perSecond = 200 / clock.Elapsed.TotalSeconds;
            var done = await Since(backends, storefront, "Order", "'Completed'");
            var megabytes = await Sql.Scalar(backends.ConnectionString, "SELECT pg_database_size(current_database())") / 1024 / 1024;
            var history = await Sql.Scalar(backends.ConnectionString, "SELECT count(*) FROM order_sagas");
            report.Add($"orders_per_s_with_{size / 1000}k_history", perSecond, "report", null,
                $"{history} orders in the database; to Completed p50 {done.P50:F0}, p99 {done.P99:F0} ms; engine peak {engine.PeakWorkingSetMb:F0} MB; database {megabytes} MB", json: false);
        }

        // The history, aged past Retention:Orders, goes with one run of the retention job: what keeps it bounded.
        Progress("retention of the history");
        var retention = await RetentionBench.Run(engine.Client, backends.ConnectionString);
        report.Add("retention_orders_per_s", retention.Archived / retention.Seconds, "report", null, RetentionBench.Describe(retention), json: false);
        DeleteArchive(simulator);
    }
}

if (!quick && !embeddedOnly)
{
    // Two instances on one database, broker and Redis.
    await using var backends = await Backends.Create("two");
    var environment = new Dictionary<string, string>(backends.Environment);
    foreach (var (key, value) in simulator)
    {
        environment[key] = value;
    }

    await using var first = await Engine.Start(repository, environment);
    await using var second = await Engine.Start(repository, environment);
    await RoomyStore(backends);
    var a = await Storefront.Open(first.Client);
    var b = await Storefront.Open(second.Client);
    Progress("two instances: warm-up, then 600 orders");
    await Load.ClosedLoop(120, 64, i => i % 2 == 0 ? a.Place(900_000 + i) : b.Place(900_000 + i));
    await WaitForEnd(first, TimeSpan.FromSeconds(300));
    var count = 600;
    var clock = Stopwatch.StartNew();
    await Load.ClosedLoop(count, 64, i => i % 2 == 0 ? a.Place(i) : b.Place(i));
    await WaitForEnd(first, TimeSpan.FromSeconds(300));
    report.Add("orders_per_s_two_instances", count / clock.Elapsed.TotalSeconds, "report", null, $"{count} orders, posted to both", json: false);
}

await EmbeddedDefault(repository, simulator, report, quick);

report.Print();
return 0;

static void DeleteArchive(Dictionary<string, string> settings)
{
    if (Directory.Exists(settings["Retention__ArchivePath"]))
    {
        Directory.Delete(settings["Retention__ArchivePath"], recursive: true);
    }
}

static void Progress(string phase) => Console.Error.WriteLine($"bench: {DateTime.UtcNow:HH:mm:ss} {phase}");

// The embedded default: SQLite and the in-memory transport.
static async Task EmbeddedDefault(string repository, Dictionary<string, string> simulator, Report report, bool quick)
{
    Progress("embedded default");
    var environment = new Dictionary<string, string>(simulator);
    await using var engine = await Engine.Start(repository, environment);
    var storefront = await Storefront.Open(engine.Client);

    // Warm-up, as on the production stack: the figure is the warm engine's, not its first minute in the JIT.
    Progress("embedded default: warm-up");
    await Load.ClosedLoop(300, 32, i => storefront.Place(900_000 + i));
    await WaitForEnd(engine, TimeSpan.FromSeconds(300));

    var count = quick ? 100 : 300;
    Progress($"embedded default: throughput, {count} orders");
    var clock = Stopwatch.StartNew();
    await Load.ClosedLoop(count, 32, i => storefront.Place(i));
    await WaitForEnd(engine, TimeSpan.FromSeconds(300));
    var perSecond = count / clock.Elapsed.TotalSeconds;
    report.Add("inmemory_orders_per_s", perSecond, ">= 60", perSecond >= 60, $"{count} orders on SQLite + in-memory transport");

    Progress("embedded default: one order at a time, 20 orders");
    var timeline = new SqliteTimeline(Path.Combine(engine.WorkingDirectory, "data", "grocery.db"));
    var idle = await OneAtATime.Run(storefront, timeline, 20, 20_000, () => WaitForEnd(engine, TimeSpan.FromSeconds(120)));
    report.Add("inmemory_idle_confirm_p50_ms", idle.Confirm.P50, "<= 50", idle.Confirm.P50 <= 50,
        $"POST to Confirmed, one order at a time, {idle.Confirm.Count} orders; p99 {idle.Confirm.P99:F1}");
    report.Add("inmemory_idle_complete_p50_ms", idle.Complete.P50, "report", null, $"POST to Completed, same orders; p99 {idle.Complete.P99:F1}", json: false);

    Progress("embedded default: the ops console's pages, 20 rounds");
    var (pages, pageFailures) = await ConsolePages.Run(engine, 20);
    report.Add("console_page_p95_ms", pages.P95, "<= 300", pages.P95 <= 300 && pageFailures == 0,
        $"GET of each ops console page (now, orders, an order, stuck, failures, jobs, slots, audit), {pages.Count} loads after the runs above; p50 {pages.P50:F1}, max {pages.Max:F1}, failures {pageFailures}; the platform's budget is 2 s");

    // A stock-take uploaded while orders come in: the engine's single SQLite writer must not wait for the file.
    Progress("order intake during a 1,000,000-line count upload");
    var upload = await UploadStall.Run(engine, storefront, offset: 10_000);
    report.Add("upload_stall_ms", upload.StallMs, "<= 100", upload.StallMs <= 100,
        $"largest POST /api/orders latency while {upload.Lines:N0} count lines were imported ({upload.ImportSeconds:F1} s, {upload.Probes} orders, one every 250 ms); " +
        $"{upload.QuietMaxMs:F0} ms before the upload");
}

static async Task<ThroughputFigures> Throughput(Engine engine, Storefront storefront, Backends backends, int count)
{
    const string Completed = "SELECT count(*) FROM order_sagas WHERE current_state = 'Completed'";
    const string Transitions = "SELECT count(*) FROM saga_timeline";
    // The inbox has one row per message and consumer: what was consumed, and by whom.
    const string Consumed = "SELECT consumer, count(*) FROM inbox_messages GROUP BY consumer";
    var (completedBefore, transitionsBefore) = (await Sql.Scalar(backends.ConnectionString, Completed), await Sql.Scalar(backends.ConnectionString, Transitions));
    var consumedBefore = await Sql.Counts(backends.ConnectionString, Consumed);
    var clock = Stopwatch.StartNew();
    await Load.ClosedLoop(count, 64, storefront.Place);
    await WaitForEnd(engine, TimeSpan.FromSeconds(600));
    var seconds = clock.Elapsed.TotalSeconds;
    var completed = await Sql.Scalar(backends.ConnectionString, Completed) - completedBefore;
    var transitions = await Sql.Scalar(backends.ConnectionString, Transitions) - transitionsBefore;
    var consumed = (await Sql.Counts(backends.ConnectionString, Consumed))
        .Select(c => (c.Key, Count: c.Value - consumedBefore.GetValueOrDefault(c.Key)))
        .Where(c => c.Count > 0)
        .ToDictionary(c => c.Key, c => c.Count);
    return new ThroughputFigures(completed / seconds, transitions / seconds, completed, consumed);
}

// Waits until every order the engine knows has ended (all five terminal states count).
static async Task WaitForEnd(Engine engine, TimeSpan timeout)
{
    string[] terminal = ["Completed", "Rejected", "Cancelled", "Refunded"];
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed < timeout)
    {
        var sagas = await engine.Client.GetFromJsonAsync<JsonElement>(new Uri("/api/sagas", UriKind.Relative));
        var byState = sagas.EnumerateArray().Single(s => s.GetProperty("type").GetString() == "Order").GetProperty("byState")
            .EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        if (byState.Count > 0 && byState.Keys.All(terminal.Contains))
        {
            return;
        }

        await Task.Delay(100);
    }

    throw new TimeoutException($"Orders still running after {timeout}");
}

// From each order's POST (those the storefront has sent since its Sent was cleared) to its saga's transition into one of `states`.
static async Task<Latencies> Since(Backends backends, Storefront storefront, string saga, string states)
{
    var reached = await Sql.Times(backends.ConnectionString,
        $"SELECT order_id, min(at) FROM saga_timeline WHERE saga_type = '{saga}' AND to_state IN ({states}) GROUP BY order_id");
    var latencies = new List<double>();
    foreach (var (orderId, sent) in storefront.Sent)
    {
        if (reached.TryGetValue(orderId, out var at))
        {
            latencies.Add((at - sent).TotalMilliseconds);
        }
    }

    return new Latencies(latencies);
}

static async Task<double> UpdateLoop(string connectionString, TimeSpan duration)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using (var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS bench_counter (id int PRIMARY KEY, n bigint NOT NULL); INSERT INTO bench_counter VALUES (1, 0) ON CONFLICT DO NOTHING", connection))
    {
        await create.ExecuteNonQueryAsync();
    }

    await using var update = new NpgsqlCommand("UPDATE bench_counter SET n = n + 1 WHERE id = 1", connection);
    await update.PrepareAsync();
    var clock = Stopwatch.StartNew();
    var count = 0;
    while (clock.Elapsed < duration)
    {
        await update.ExecuteNonQueryAsync();
        count++;
    }

    return count / clock.Elapsed.TotalSeconds;
}

static async Task<RushFigures> Rush(Engine engine, Backends backends)
{
    const string store = "hcm-01";
    var slots = new List<Guid>();
    await using (var connection = new NpgsqlConnection(backends.ConnectionString))
    {
        await connection.OpenAsync();
        await using var pick = new NpgsqlCommand(
            "UPDATE delivery_slots SET capacity = 50 WHERE slot_id IN (SELECT slot_id FROM delivery_slots WHERE store_id = @store AND held = 0 AND confirmed = 0 " +
            "AND cut_off_at > now() + interval '1 day' ORDER BY window_start LIMIT 10) RETURNING slot_id", connection);
        pick.Parameters.AddWithValue("store", store);
        await using var reader = await pick.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            slots.Add(reader.GetGuid(0));
        }
    }

    // The Redis counters learn the new capacity from the repair pass (every second here; drift must be seen twice).
    await Task.Delay(TimeSpan.FromSeconds(4));
    var storefront = await Storefront.Open(engine.Client, store);
    var refusals = new System.Collections.Concurrent.ConcurrentBag<double>();
    var answers = new System.Collections.Concurrent.ConcurrentBag<double>();
    await Task.WhenAll(Enumerable.Range(0, 5000).Select(async i =>
    {
        var started = Stopwatch.GetTimestamp();
        await storefront.Place(i, slots[i % slots.Count], refusals);
        answers.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }));

    // Every accepted order's slot is decided, by now (an engine that holds at the door: the slot saga starts in Held)
    // or later (one whose slot saga asks the slot store): wait for each one's Held or Unavailable. The 500 that got a
    // place go on through picking and delivery, which the figures here do not need.
    var accepted = storefront.Sent.Keys.ToArray();
    const string Decided = "SELECT count(DISTINCT order_id) FROM saga_timeline WHERE saga_type = 'SlotReservation' AND to_state IN ('Held', 'Unavailable') " +
        "AND order_id = ANY(@orders)";
    var clock = Stopwatch.StartNew();
    while (await Sql.Scalar(backends.ConnectionString, Decided, accepted) < accepted.Length)
    {
        if (clock.Elapsed > TimeSpan.FromMinutes(10))
        {
            throw new TimeoutException("The rush's slot decisions did not all arrive within 10 minutes");
        }

        await Task.Delay(200);
    }

    var ids = string.Join(", ", slots.Select(s => $"'{s}'"));
    var successes = (int)await Sql.Scalar(backends.ConnectionString,
        $"SELECT count(DISTINCT t.order_id) FROM saga_timeline t JOIN slot_reservation_sagas r ON r.correlation_id = t.correlation_id " +
        $"WHERE t.saga_type = 'SlotReservation' AND t.to_state = 'Held' AND r.slot_id IN ({ids}) AND t.order_id = ANY(@orders)", accepted);
    var overbooked = await Sql.Scalar(backends.ConnectionString, $"SELECT count(*) FROM delivery_slots WHERE slot_id IN ({ids}) AND held + confirmed > capacity") > 0;
    var decisions = await Since(backends, storefront, "SlotReservation", "'Held', 'Unavailable'");
    await Console.Error.WriteLineAsync($"bench: rush answers: {accepted.Length} accepted (202), {refusals.Count} refused by the API (422); {successes} held");
    return new RushFigures(successes, accepted.Length, refusals.Count, overbooked, new Latencies([.. answers]), decisions);
}

// The bench measures the engine, not the seed's slot capacities: the store it orders from gets room for every order.
static async Task RoomyStore(Backends backends)
{
    await Sql.Execute(backends.ConnectionString, "UPDATE delivery_slots SET capacity = 100000 WHERE store_id = 'sgp-01'");
    // The Redis counters learn it from the repair pass (every second here; drift must be seen twice).
    await Task.Delay(TimeSpan.FromSeconds(4));
}

static string Repository()
{
    var directory = new DirectoryInfo(AppContext.BaseDirectory);
    while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Grocery.Workflows.sln")))
    {
        directory = directory.Parent;
    }

    return directory?.FullName ?? throw new InvalidOperationException("Run from inside the repository");
}
