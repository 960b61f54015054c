using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Host.Security;
using Grocery.Workflows.Messaging.Failures;
using Grocery.Workflows.Persistence.Audit;
using Grocery.Workflows.Persistence.Jobs;
using Grocery.Workflows.Persistence.Orders;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.Api.Tests;

/// <summary>
/// The audit trail: one row per operator or scheduler action, written with its effect; refusals by themselves; nothing
/// for an effect that rolled back; GET /api/audit for operators, filtered and paged. The outbox dispatcher is off, so
/// no order moves and no replayed or cancelling message is consumed while a test looks.
/// </summary>
public sealed class AuditTests : IAsyncLifetime
{
    private const string Header = "store_id,sku,quantity,counted_at\n";

    // ASP.NET Core starts a request's activity (and so takes its traceparent) only when someone listens.
    private static readonly ActivityListener Tracing = ListenToRequests();

    private GroceryApiFactory Factory { get; } = new();

    public Task InitializeAsync()
    {
        GC.KeepAlive(Tracing);
        Factory.Settings["Outbox:DispatcherEnabled"] = "false";
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    private Task<HttpClient> Operator() =>
        Factory.Client(new TokenRequest([GroceryRoles.Ops, GroceryRoles.Scheduler], Name: "Olivia Ops", Subject: "ops-olivia"));

    [Fact]
    public async Task Every_audited_action_writes_one_row_with_who_what_target_outcome_and_trace()
    {
        using var client = await Operator();
        var orderId = await Order(GroceryApiFactory.OtherStore);
        var failureId = await Failure(orderId);
        var day = DateTime.UtcNow.AddDays(3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var counts = $"{Header}{GroceryApiFactory.OtherStore},DAI-00001,12,{DateTimeOffset.UtcNow.AddHours(-1):O}\n" +
            $"{GroceryApiFactory.OtherStore},PRO-00001,3.5,{DateTimeOffset.UtcNow.AddHours(-1):O}\n";

        var replay = await Send(client, HttpMethod.Post, $"/api/failures/{failureId}/replay?force=true");
        var pause = await Send(client, HttpMethod.Post, "/api/jobs/stock-reconciliation/pause");
        var resume = await Send(client, HttpMethod.Post, "/api/jobs/stock-reconciliation/resume");
        var run = await Send(client, HttpMethod.Post, "/api/jobs/slot-generation/runs", JsonContent.Create(new { storeId = GroceryApiFactory.OtherStore }));
        var close = await Send(client, HttpMethod.Put, $"/api/stores/{GroceryApiFactory.Store}/closures/{day}", JsonContent.Create(new { reason = "Stocktake" }));
        var reopen = await Send(client, HttpMethod.Delete, $"/api/stores/{GroceryApiFactory.Store}/closures/{day}");
        var count = await Send(client, HttpMethod.Post, "/api/stock/counts", new StringContent(counts, Encoding.UTF8, "text/csv"));
        var cancel = await Send(client, HttpMethod.Post, $"/api/orders/{orderId}/cancel", JsonContent.Create(new { reason = "Store flooded" }));

        replay.Response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await replay.Response.Content.ReadAsStringAsync());
        (pause.Response.StatusCode, resume.Response.StatusCode).ShouldBe((HttpStatusCode.NoContent, HttpStatusCode.NoContent));
        run.Response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await run.Response.Content.ReadAsStringAsync());
        var runId = (await run.Response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();
        (close.Response.StatusCode, reopen.Response.StatusCode).ShouldBe((HttpStatusCode.OK, HttpStatusCode.NoContent));
        count.Response.StatusCode.ShouldBe(HttpStatusCode.OK, await count.Response.Content.ReadAsStringAsync());
        cancel.Response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await cancel.Response.Content.ReadAsStringAsync());

        var rows = await Rows();
        rows.Count.ShouldBe(8, string.Join("\n", rows.Select(r => $"{r.Action} {r.Target} {r.Outcome}")));
        rows.ShouldAllBe(r => r.Subject == "ops-olivia" && r.Name == "Olivia Ops" && r.Roles == "ops scheduler" && r.Outcome == AuditOutcomes.Accepted);
        rows.ShouldAllBe(r => r.At > DateTimeOffset.UtcNow.AddMinutes(-5) && r.At <= DateTimeOffset.UtcNow);

        var replayed = Single(rows, replay.TraceId, AuditActions.FailureReplay, failureId.ToString(System.Globalization.CultureInfo.InvariantCulture), GroceryApiFactory.OtherStore);
        Parameters(replayed).GetProperty("force").GetBoolean().ShouldBeTrue();
        Parameters(replayed).GetProperty("orderId").GetGuid().ShouldBe(orderId);
        Single(rows, pause.TraceId, AuditActions.JobPause, "stock-reconciliation", null).Parameters.ShouldBeNull();
        Single(rows, resume.TraceId, AuditActions.JobResume, "stock-reconciliation", null);
        var ran = Single(rows, run.TraceId, AuditActions.JobRun, "slot-generation", GroceryApiFactory.OtherStore);
        Parameters(ran).GetProperty("runId").GetGuid().ShouldBe(runId);
        var closed = Single(rows, close.TraceId, AuditActions.StoreClose, $"{GroceryApiFactory.Store}/{day}", GroceryApiFactory.Store);
        Parameters(closed).GetProperty("reason").GetString().ShouldBe("Stocktake");
        var reopened = Single(rows, reopen.TraceId, AuditActions.StoreReopen, $"{GroceryApiFactory.Store}/{day}", GroceryApiFactory.Store);
        Parameters(reopened).GetProperty("reason").GetString().ShouldBe("Stocktake", "the reason the day had been closed for");
        var counted = Single(rows, count.TraceId, AuditActions.StockCount, GroceryApiFactory.OtherStore, GroceryApiFactory.OtherStore);
        (Parameters(counted).GetProperty("format").GetString(), Parameters(counted).GetProperty("lines").GetInt32(), Parameters(counted).GetProperty("bytes").GetInt64())
            .ShouldBe(("csv", 2, Encoding.UTF8.GetByteCount(counts)));
        var cancelled = Single(rows, cancel.TraceId, AuditActions.OrderCancel, orderId.ToString(), GroceryApiFactory.OtherStore);
        (Parameters(cancelled).GetProperty("reason").GetString(), Parameters(cancelled).GetProperty("state").GetString()).ShouldBe(("Store flooded", "Submitted"));

        // Each row went with its effect.
        (await Factory.Query(db => db.Outbox.CountAsync(m => m.MessageType.StartsWith("Grocery.Workflows.Contracts.Orders.CancelOrder,")))).ShouldBe(2, "the replayed CancelOrder and the operator's");
        (await Factory.Query(db => db.JobRuns.CountAsync(r => r.RunId == runId))).ShouldBe(1);
        (await Factory.Query(db => db.StockCounts.CountAsync(c => c.StoreId == GroceryApiFactory.OtherStore))).ShouldBe(2);
    }

    [Fact]
    public async Task A_customer_cancelling_their_own_order_is_not_an_operator_action()
    {
        var orderId = await Order(GroceryApiFactory.Store, customer: "cust-5");
        using var customer = await Factory.Client(GroceryRoles.Storefront, "cust-5");

        var cancel = await customer.PostAsync(new Uri($"/api/orders/{orderId}/cancel", UriKind.Relative), null);

        cancel.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await Rows()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Refusals_of_the_target_or_the_callers_reach_are_recorded_with_their_reason_and_change_nothing()
    {
        using var client = await Operator();
        using var limited = await Factory.Client(GroceryRoles.Ops, null, GroceryApiFactory.Store);
        var otherStoreOrder = await Order(GroceryApiFactory.OtherStore);
        var active = Guid.NewGuid();
        await Factory.Query(db =>
        {
            db.JobRuns.Add(new JobRun
            {
                RunId = active, JobName = "stock-reconciliation", Trigger = JobRunTrigger.Scheduled, Status = JobRunStatus.Running,
                RequestedAt = DateTimeOffset.UtcNow, StartedAt = DateTimeOffset.UtcNow, HeartbeatAt = DateTimeOffset.UtcNow, Instance = "elsewhere",
            });
            return db.SaveChangesAsync();
        });
        var day = DateTime.UtcNow.AddDays(4).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var unknownFailure = await Send(client, HttpMethod.Post, "/api/failures/987654/replay");
        var busy = await Send(client, HttpMethod.Post, "/api/jobs/stock-reconciliation/runs");
        var notClosed = await Send(client, HttpMethod.Delete, $"/api/stores/{GroceryApiFactory.Store}/closures/{day}");
        // A malformed request (a bad count file, a bad body) is a 400 and not in the trail.
        var badCounts = await Send(client, HttpMethod.Post, "/api/stock/counts",
            new StringContent($"{Header}{GroceryApiFactory.Store},NOPE-1,1,{DateTimeOffset.UtcNow.AddHours(-1):O}\n", Encoding.UTF8, "text/csv"));
        var badReason = await Send(client, HttpMethod.Put, $"/api/stores/{GroceryApiFactory.Store}/closures/{day}", JsonContent.Create(new { reason = "" }));
        var otherStore = await Send(limited, HttpMethod.Post, $"/api/orders/{otherStoreOrder}/cancel");
        var everyStore = await Send(limited, HttpMethod.Post, "/api/jobs/slot-generation/pause");

        unknownFailure.Response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        busy.Response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        notClosed.Response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (badCounts.Response.StatusCode, badReason.Response.StatusCode).ShouldBe((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest));
        (otherStore.Response.StatusCode, everyStore.Response.StatusCode).ShouldBe((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden));

        var rows = await Rows();
        rows.Count.ShouldBe(5, string.Join("\n", rows.Select(r => $"{r.Action} {r.Target} {r.Outcome}")));
        rows.ShouldAllBe(r => r.Outcome.StartsWith("refused: "));
        Single(rows, unknownFailure.TraceId, AuditActions.FailureReplay, "987654", null).Outcome.ShouldStartWith("refused: 404 Failed message not found");
        Single(rows, busy.TraceId, AuditActions.JobRun, "stock-reconciliation", null).Outcome.ShouldStartWith("refused: 409 The job is already running");
        Single(rows, notClosed.TraceId, AuditActions.StoreReopen, $"{GroceryApiFactory.Store}/{day}", GroceryApiFactory.Store).Outcome.ShouldStartWith("refused: 404");
        var refusedCancel = Single(rows, otherStore.TraceId, AuditActions.OrderCancel, otherStoreOrder.ToString(), GroceryApiFactory.OtherStore);
        (refusedCancel.Subject, refusedCancel.Roles, refusedCancel.Outcome).ShouldBe(("local:Test ops", "ops", "refused: 403 Forbidden: Your token is limited to other stores than this one."));
        Single(rows, everyStore.TraceId, AuditActions.JobPause, "slot-generation", null).Outcome.ShouldStartWith("refused: 403 Forbidden");

        (await Factory.Query(db => db.JobRuns.CountAsync(r => r.Trigger == JobRunTrigger.Manual))).ShouldBe(0, "nothing was queued");
        (await Factory.Query(db => db.Outbox.CountAsync())).ShouldBe(0, "nothing was cancelled");
        (await Factory.Query(db => db.StockCounts.CountAsync())).ShouldBe(0, "nothing was imported");
    }

    [Fact]
    public async Task An_effect_that_rolls_back_takes_its_audit_row_with_it()
    {
        using var client = await Operator();
        // The effects fail in the database, inside the transactions that write their audit rows.
        await Factory.Query(db => db.Database.ExecuteSqlRawAsync(
            "CREATE TRIGGER test_closures_fail BEFORE INSERT ON store_closures BEGIN SELECT RAISE(ABORT, 'test: no closure today'); END;"));
        await Factory.Query(db => db.Database.ExecuteSqlRawAsync(
            "CREATE TRIGGER test_counts_fail BEFORE INSERT ON stock_counts BEGIN SELECT RAISE(ABORT, 'test: no counts today'); END;"));
        var day = DateTime.UtcNow.AddDays(5).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var close = await client.PutAsJsonAsync(new Uri($"/api/stores/{GroceryApiFactory.Store}/closures/{day}", UriKind.Relative), new { reason = "Stocktake" });
        var count = await client.PostAsync(new Uri("/api/stock/counts", UriKind.Relative),
            new StringContent($"{Header}{GroceryApiFactory.Store},DAI-00001,1,{DateTimeOffset.UtcNow.AddHours(-1):O}\n", Encoding.UTF8, "text/csv"));

        (close.StatusCode, count.StatusCode).ShouldBe((HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError));
        (await Rows()).ShouldBeEmpty();
        (await Factory.Query(db => db.StoreClosures.CountAsync())).ShouldBe(0);
    }

    [Fact]
    public async Task The_database_and_the_context_refuse_to_change_or_remove_an_audit_row()
    {
        using var client = await Operator();
        (await client.PostAsync(new Uri("/api/jobs/slot-generation/pause", UriKind.Relative), null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var row = (await Rows()).ShouldHaveSingleItem();

        var update = await Should.ThrowAsync<Microsoft.Data.Sqlite.SqliteException>(() => Factory.Query(db =>
            db.AuditLog.Where(e => e.Id == row.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.Outcome, "refused: never mind"))));
        var delete = await Should.ThrowAsync<Microsoft.Data.Sqlite.SqliteException>(() => Factory.Query(db => db.AuditLog.ExecuteDeleteAsync()));
        var removed = await Should.ThrowAsync<InvalidOperationException>(() => Factory.Query(async db =>
        {
            db.AuditLog.Remove(await db.AuditLog.SingleAsync());
            return await db.SaveChangesAsync();
        }));
        var changed = await Should.ThrowAsync<InvalidOperationException>(() => Factory.Query(async db =>
        {
            db.Entry(await db.AuditLog.SingleAsync()).Property(e => e.Outcome).CurrentValue = "refused: never mind";
            return await db.SaveChangesAsync();
        }));

        update.Message.ShouldContain("audit_log is append-only: UPDATE is not allowed");
        delete.Message.ShouldContain("audit_log is append-only: DELETE is not allowed");
        (removed.Message, changed.Message).ShouldBe(($"audit_log is append-only: audit entry {row.Id} cannot be deleted.", $"audit_log is append-only: audit entry {row.Id} cannot be changed."));
        (await Rows()).ShouldHaveSingleItem().Outcome.ShouldBe(AuditOutcomes.Accepted);
    }

    [Fact]
    public async Task The_list_is_newest_first_filtered_and_paged_by_cursor_without_overlap()
    {
        var at = await Seed();
        using var client = await Factory.Client(GroceryRoles.Ops);

        var first = await Page(client, "limit=3");
        var second = await Page(client, $"limit=3&cursor={first.Cursor}");
        var third = await Page(client, $"limit=3&cursor={second.Cursor}");

        first.Targets.ShouldBe(["t7", "t6", "t5"]);
        second.Targets.ShouldBe(["t4", "t3", "t2"]);
        third.Targets.ShouldBe(["t1"]);
        (first.Cursor is null, second.Cursor is null, third.Cursor).ShouldBe((false, false, null));
        (await Page(client, "action=store.close")).Targets.ShouldBe(["t3", "t2"]);
        (await Page(client, "subject=a")).Targets.ShouldBe(["t6", "t2", "t1"]);
        (await Page(client, "target=t6")).Targets.ShouldBe(["t6"]);
        (await Page(client, $"storeId={GroceryApiFactory.Store}")).Targets.ShouldBe(["t6", "t4", "t2"]);
        (await Page(client, $"storeId={GroceryApiFactory.OtherStore}&action=stock.count")).Targets.ShouldBe(["t5"]);
        (await Page(client, $"from={Iso(at.AddMinutes(2))}&to={Iso(at.AddMinutes(5))}")).Targets.ShouldBe(["t5", "t4", "t3"]);
        // A '+' sent unencoded arrives as a space.
        (await Page(client, $"from={at.AddMinutes(6).ToOffset(TimeSpan.FromHours(7)):yyyy-MM-ddTHH:mm:ss+07:00}")).Targets.ShouldBe(["t7"]);
        var bySubject = await Page(client, "subject=a&limit=2");
        bySubject.Targets.ShouldBe(["t6", "t2"]);
        (await Page(client, $"subject=a&limit=2&cursor={bySubject.Cursor}")).Targets.ShouldBe(["t1"]);

        var listed = (await client.GetFromJsonAsync<JsonElement>(new Uri("/api/audit?target=t6", UriKind.Relative))).GetProperty("items")[0];
        (listed.GetProperty("subject").GetString(), listed.GetProperty("name").GetString(), listed.GetProperty("roles").GetString()).ShouldBe(("a", "Alice", "ops"));
        (listed.GetProperty("action").GetString(), listed.GetProperty("storeId").GetString(), listed.GetProperty("outcome").GetString())
            .ShouldBe((AuditActions.FailureReplay, GroceryApiFactory.Store, AuditOutcomes.Accepted));
        listed.GetProperty("parameters").GetProperty("force").GetBoolean().ShouldBeTrue();
        listed.GetProperty("traceId").GetString().ShouldBe("trace-t6");
        listed.GetProperty("at").GetDateTimeOffset().ShouldBe(at.AddMinutes(5));
    }

    [Theory]
    [InlineData("action=nope", "action")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("cursor=abc", "cursor")]
    [InlineData("cursor=0", "cursor")]
    [InlineData("subject=", "subject")]
    [InlineData("target=a%01b", "target")]
    [InlineData("storeId=123456789012345678901234567890123", "storeId")]
    [InlineData("from=2026-12-02", "from")]
    [InlineData("to=2026-12-02T10:00:00", "to")]
    [InlineData("from=2026-12-03T00:00:00Z&to=2026-12-02T00:00:00Z", "from")]
    public async Task A_bad_filter_is_a_400_problem_naming_it(string query, string field)
    {
        using var client = await Factory.Client(GroceryRoles.Ops);

        var response = await client.GetAsync(new Uri($"/api/audit?{query}", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Only_operators_read_the_trail()
    {
        using var storefront = await Factory.Client(GroceryRoles.Storefront);
        using var scheduler = await Factory.Client(GroceryRoles.Scheduler);
        using var anonymous = await Factory.ClientWith(null);
        using var ops = await Factory.Client(GroceryRoles.Ops);
        var audit = new Uri("/api/audit", UriKind.Relative);

        (await storefront.GetAsync(audit)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await scheduler.GetAsync(audit)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await anonymous.GetAsync(audit)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await ops.GetAsync(audit)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_operator_limited_to_some_stores_sees_the_rows_of_those_stores_only()
    {
        await Seed();
        using var limited = await Factory.Client(GroceryRoles.Ops, null, GroceryApiFactory.Store);

        (await Page(limited, "")).Targets.ShouldBe(["t6", "t4", "t2"]);
        (await Page(limited, $"storeId={GroceryApiFactory.Store}&limit=2")).Targets.ShouldBe(["t6", "t4"]);
        (await Page(limited, "subject=c")).Targets.ShouldBeEmpty("c's rows concern the other store or none");
        (await limited.GetAsync(new Uri($"/api/audit?storeId={GroceryApiFactory.OtherStore}", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    private static ActivityListener ListenToRequests()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    /// <summary>Sends the request with a traceparent of its own; its trace id is what the audit row must carry.</summary>
    private static async Task<(HttpResponseMessage Response, string TraceId)> Send(HttpClient client, HttpMethod method, string path, HttpContent? content = null)
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        return (await client.SendAsync(request), traceId);
    }

    private static AuditEntry Single(List<AuditEntry> rows, string traceId, string action, string target, string? storeId)
    {
        var row = rows.Where(r => r.TraceId == traceId).ShouldHaveSingleItem($"one row for the request traced {traceId} ({action})");
        (row.Action, row.Target, row.StoreId).ShouldBe((action, target, storeId));
        return row;
    }

    private static JsonElement Parameters(AuditEntry row) => JsonDocument.Parse(row.Parameters!).RootElement;

    private Task<List<AuditEntry>> Rows() => Factory.Query(db => db.AuditLog.AsNoTracking().OrderBy(e => e.Id).ToListAsync());

    private static async Task<(string[] Targets, string? Cursor)> Page(HttpClient client, string query)
    {
        var response = await client.GetAsync(new Uri($"/api/audit?{query}", UriKind.Relative));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var page = await response.Content.ReadFromJsonAsync<JsonElement>();
        var cursor = page.GetProperty("nextCursor");
        return ([.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("target").GetString()!)],
            cursor.ValueKind == JsonValueKind.Null ? null : cursor.GetString());
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Seven rows a minute apart, t1 oldest: three subjects, two stores and rows of no one store.</summary>
    private async Task<DateTimeOffset> Seed()
    {
        var at = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddHours(-6);
        (string Action, string Subject, string? Store)[] rows =
        [
            (AuditActions.JobPause, "a", null),
            (AuditActions.StoreClose, "a", GroceryApiFactory.Store),
            (AuditActions.StoreClose, "b", GroceryApiFactory.OtherStore),
            (AuditActions.OrderCancel, "b", GroceryApiFactory.Store),
            (AuditActions.StockCount, "c", GroceryApiFactory.OtherStore),
            (AuditActions.FailureReplay, "a", GroceryApiFactory.Store),
            (AuditActions.JobRun, "c", null),
        ];
        for (var i = 0; i < rows.Length; i++)
        {
            var (action, subject, store) = rows[i];
            var actor = new AuditActor(subject, subject == "a" ? "Alice" : null, "ops", $"trace-t{i + 1}");
            var entry = AuditTrail.Entry(new AuditedAction(actor, action, $"t{i + 1}", store, new() { ["force"] = true }), AuditOutcomes.Accepted, at.AddMinutes(i));
            await Factory.Query(db =>
            {
                db.AuditLog.Add(entry);
                return db.SaveChangesAsync();
            });
        }

        return at;
    }

    private Task<Guid> Order(string storeId, string customer = "cust-1") => Factory.Query(async db =>
    {
        var orderId = Guid.NewGuid();
        db.OrderRequests.Add(new OrderRequest
        {
            OrderId = orderId, CustomerId = customer, IdempotencyKey = orderId.ToString(), RequestHash = "-", StoreId = storeId,
            SlotId = GroceryApiFactory.OpenSlot, Currency = "VND", EstimatedTotal = 45_700, PaymentProvider = "sandbox", CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
        return orderId;
    });

    /// <summary>A CancelOrder of the order that failed on a queue nobody consumes here.</summary>
    private Task<long> Failure(Guid orderId) => Factory.Query(async db =>
    {
        var failure = new FailedMessage
        {
            MessageId = Guid.NewGuid(), MessageType = "urn:message:Grocery.Workflows.Contracts.Orders:CancelOrder",
            InputAddress = "loopback://localhost/audit-tests", OrderId = orderId,
            Body = JsonSerializer.Serialize(new { message = new { orderId, reason = "test" } }),
            ExceptionType = "System.InvalidOperationException", ExceptionMessage = "test", FailedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
        };
        db.FailedMessages.Add(failure);
        await db.SaveChangesAsync();
        return failure.Id;
    });
}
