using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Deque.AxeCore.Playwright;
using Grocery.Workflows.Api.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Grocery.Workflows.Api.Tests.Console;

/// <summary>The ops console as an operator uses it, in a real headless Chromium.</summary>
[Collection(OpsConsoleFixture.BrowserCollection)]
public sealed class OpsConsoleBrowserTests(OpsConsoleFixture console) : IClassFixture<OpsConsoleFixture>
{
    private static readonly string[] Pages = ["/ops", "/ops/orders", "/ops/stuck", "/ops/failures", "/ops/jobs", "/ops/slots", "/ops/audit"];

    [Fact]
    public async Task A_storefront_token_is_refused_at_the_sign_in_and_opens_no_page()
    {
        var context = await console.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = console.BaseAddress.ToString() });
        var page = await context.NewPageAsync();

        var first = await page.GotoAsync("/ops/orders");
        page.Url.ShouldContain("/ops/sign-in");
        first!.Status.ShouldBe(200);
        await OpsConsoleFixture.SignIn(page, console.Token(GroceryRoles.Storefront));

        (await page.GetByRole(AriaRole.Alert).InnerTextAsync()).ShouldContain("does not carry the ops role");
        var again = await page.GotoAsync("/ops/orders");
        page.Url.ShouldContain("/ops/sign-in");
        again!.Status.ShouldBe(200);
        (await context.CookiesAsync()).ShouldNotContain(c => c.Name == "grocery-ops");

        await OpsConsoleFixture.SignIn(page, "not-a-token");
        (await page.GetByRole(AriaRole.Alert).InnerTextAsync()).ShouldContain("was not accepted");
        await context.CloseAsync();
    }

    [Fact]
    public async Task An_operator_finds_an_order_and_watches_its_timeline_fill_live_to_Completed()
    {
        var page = await console.SignedIn();
        var orderId = await PlaceOrder("tok_success");
        // Picking starts at its time before the delivery window (two days ahead): the order rests in Confirmed until then.
        await WaitForOrderState(orderId, "Confirmed");

        await page.GotoAsync("/ops/orders");
        await page.GetByLabel("Order id").FillAsync(orderId.ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.WaitForURLAsync($"**/ops/orders/{orderId}");
        (await page.Locator("[data-order-state]").InnerTextAsync()).ShouldBe("Confirmed");
        (await page.Locator("#deadlines + table").InnerTextAsync()).ShouldContain("PickingDue");
        // The order saga's machine, its current state marked: from Confirmed, PickingStarted moves it to Picking.
        await page.Locator(".lane").First.Locator("details.machine summary").ClickAsync();
        (await page.Locator(".lane").First.Locator("details.machine tr[aria-current='true']").AllInnerTextsAsync())
            .ShouldContain(t => t.StartsWith("Confirmed\tPickingStarted\tPicking", StringComparison.Ordinal));
        // Drawn as well: every state of the machine a box, the current one marked, an arrow from it to Picking.
        var drawing = page.Locator(".lane").First.Locator("details.machine svg.diagram");
        (await drawing.Locator("g.state[aria-current='true']").GetAttributeAsync("data-state")).ShouldBe("Confirmed");
        (await drawing.Locator("g.state").CountAsync()).ShouldBeGreaterThan(8);
        (await drawing.Locator("g.edge title").AllTextContentsAsync()).ShouldContain(t => t.StartsWith("Confirmed → Picking: ", StringComparison.Ordinal) && t.Contains("PickingStarted", StringComparison.Ordinal));
        if (Environment.GetEnvironmentVariable("GROCERY_UPDATE_DOCS") == "1")
        {
            await drawing.ScreenshotAsync(new() { Path = Path.Combine(ConsoleTextTests.Source("docs/images"), "ops-order-machine.png") });
        }
        var navigations = 0;
        page.FrameNavigated += (_, frame) => navigations += frame == page.MainFrame ? 1 : 0;

        // The test moves the clock to picking time: the order's pending deadlines fall due now. The simulated picker
        // and customer take the order to its hand-off, then the clock moves to the courier's dispatch time, and the
        // simulated courier takes it to the end. The open page follows without a reload.
        (await FallDueNow(orderId)).ShouldBeGreaterThan(0);
        await page.Locator("[data-order-state]", new() { HasTextString = "ReadyForHandoff" }).WaitForAsync(new() { Timeout = 90_000 });
        (await FallDueNow(orderId)).ShouldBeGreaterThan(0);
        await page.Locator("[data-order-state]", new() { HasTextString = "Completed" }).WaitForAsync(new() { Timeout = 90_000 });

        navigations.ShouldBe(0);
        var lanes = await page.Locator(".lane .saga").AllInnerTextsAsync();
        lanes.ShouldBe(["Order", "SlotReservation", "Picking", "SubstitutionApproval", "DeliveryHandoff"]);
        (await page.Locator(".lane").First.Locator(".steps").InnerTextAsync()).ShouldContain("Completed");
        await page.Context.CloseAsync();
    }

    /// <summary>Moves the order's pending deadlines to now, as if their time had come; how many there were.</summary>
    private Task<int> FallDueNow(Guid orderId) =>
        console.Engine.Query(async db =>
        {
            var now = DateTimeOffset.UtcNow;
            var due = await db.Outbox.Where(o => o.CorrelationId == orderId && o.DueAt > now).ToListAsync();
            due.ForEach(o => o.DueAt = now);
            await db.SaveChangesAsync();
            return due.Count;
        });

    [Fact]
    public async Task An_order_is_cancelled_after_its_dry_run_with_a_reason_and_the_cancel_is_audited()
    {
        var page = await console.SignedIn();
        var orderId = await PlaceOrder("tok_success");
        await WaitForOrderState(orderId, "Confirmed");
        await page.GotoAsync($"/ops/orders/{orderId}");

        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel…" }).ClickAsync();
        var dryRun = page.Locator(".dry-run");
        (await dryRun.InnerTextAsync()).ShouldContain("The order is Confirmed.");
        (await dryRun.InnerTextAsync()).ShouldContain("voids the payment authorization");
        await page.GetByLabel("Reason (recorded in the audit log)").FillAsync("   ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel the order" }).ClickAsync();
        (await page.GetByRole(AriaRole.Status).InnerTextAsync()).ShouldContain("A reason is required");
        await page.GetByLabel("Reason (recorded in the audit log)").FillAsync("Customer called: wrong address");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel the order" }).ClickAsync();

        (await page.GetByRole(AriaRole.Status).InnerTextAsync()).ShouldContain("Cancel asked for");
        await page.Locator("[data-order-state]", new() { HasTextString = "Cancelled" }).WaitForAsync(new() { Timeout = 60_000 });
        var audit = await console.Engine.Query(db => db.AuditLog.Where(a => a.Target == orderId.ToString()).ToListAsync());
        audit.ShouldHaveSingleItem();
        audit[0].Action.ShouldBe("order.cancel");
        audit[0].Name.ShouldBe("Lan Nguyen");
        audit[0].Parameters!.ShouldContain("Customer called: wrong address");
        (await page.Locator("#audit + ul").InnerTextAsync()).ShouldContain("order.cancel");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_slots_heat_map_shows_a_stores_places_and_bookings_by_window_and_day()
    {
        var page = await console.SignedIn();
        var placed = await PlaceOrder("tok_success");
        await WaitForOrderState(placed, "Confirmed");
        var window = GroceryApiFactory.OpenWindow;
        var localDay = System.TimeZoneInfo.ConvertTime(window, System.TimeZoneInfo.FindSystemTimeZoneById("Asia/Ho_Chi_Minh"));

        await page.GotoAsync($"/ops/slots?store={GroceryApiFactory.Store}&from={localDay:yyyy-MM-dd}");

        var row = page.Locator("table.heat tbody tr", new() { Has = page.Locator($"th:text-is('{localDay:HH:mm}')") });
        // Other scenarios' orders book the same slot: the count is at least this order's place, of the seed's 500.
        (await row.Locator("td").First.InnerTextAsync()).ShouldMatch(@"^[1-9]\d* / 500$");
        (await row.Locator("td").First.GetAttributeAsync("class"))!.ShouldContain("h0");

        // A week no store has (the one after 9999-12-31 does not exist) is a message, not an error page.
        var far = await page.GotoAsync($"/ops/slots?store={GroceryApiFactory.Store}&from=9999-12-31");
        far!.Status.ShouldBe(200);
        (await page.GetByRole(AriaRole.Alert).InnerTextAsync()).ShouldBe("Choose a week within a year of today.");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_store_day_is_closed_after_its_dry_run_with_a_reason_then_reopened_both_audited()
    {
        var page = await console.SignedIn();
        var zone = System.TimeZoneInfo.FindSystemTimeZoneById("Asia/Ho_Chi_Minh");
        // A day no other scenario books, ahead of the generated slots.
        var day = DateOnly.FromDateTime(System.TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DateTime).AddDays(40).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await page.GotoAsync($"/ops/slots?store={GroceryApiFactory.Store}");

        await page.GetByLabel("Day to close").FillAsync(day);
        await page.GetByRole(AriaRole.Button, new() { Name = "Close a day…" }).ClickAsync();
        var dryRun = page.Locator(".dry-run");
        (await dryRun.Locator("h3").InnerTextAsync()).ShouldBe($"Dry run: close {day} at {GroceryApiFactory.Store}");
        (await dryRun.InnerTextAsync()).ShouldContain("0 slots that day");
        (await page.Locator("#closures ~ ul.plain").CountAsync()).ShouldBe(0, "nothing is closed by the dry run");
        await dryRun.GetByLabel("Reason").FillAsync("Tết: the store is shut");
        await dryRun.GetByRole(AriaRole.Button, new() { Name = "Close the day" }).ClickAsync();

        (await page.GetByRole(AriaRole.Status).InnerTextAsync()).ShouldStartWith("The day is closed.");
        (await page.Locator("ul.plain li").AllInnerTextsAsync()).ShouldContain(t => t.StartsWith($"{day} · Tết: the store is shut", StringComparison.Ordinal));

        await page.GetByRole(AriaRole.Button, new() { Name = $"Reopen {day}…" }).ClickAsync();
        (await page.Locator(".dry-run h3").InnerTextAsync()).ShouldBe($"Dry run: reopen {day} at {GroceryApiFactory.Store}");
        await page.Locator(".dry-run").GetByRole(AriaRole.Button, new() { Name = "Reopen the day" }).ClickAsync();

        (await page.GetByRole(AriaRole.Status).InnerTextAsync()).ShouldStartWith("The day is open again.");
        (await page.Locator("ul.plain li").AllInnerTextsAsync()).ShouldNotContain(t => t.StartsWith(day, StringComparison.Ordinal));
        var audit = await console.Engine.Query(db => db.AuditLog.Where(a => a.Target == $"{GroceryApiFactory.Store}/{day}").OrderBy(a => a.Id).Select(a => new { a.Action, a.Name, a.Outcome }).ToListAsync());
        audit.Select(a => a.Action).ShouldBe(["store.close", "store.reopen"]);
        audit.ShouldAllBe(a => a.Name == "Lan Nguyen" && a.Outcome == "accepted");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_pending_deadline_is_fired_now_after_its_dry_run_and_the_order_goes_on()
    {
        var page = await console.SignedIn();
        var orderId = await PlaceOrder("tok_success");
        await WaitForOrderState(orderId, "Confirmed");
        await page.GotoAsync($"/ops/orders/{orderId}");

        await page.GetByRole(AriaRole.Button, new() { Name = "Fire now… (PickingDue)" }).ClickAsync();
        (await page.Locator(".dry-run").InnerTextAsync()).ShouldContain("would be delivered now");
        await page.GetByLabel("Reason (recorded in the audit log)").FillAsync("Store asked to pick early");
        await page.GetByRole(AriaRole.Button, new() { Name = "Do it" }).ClickAsync();

        (await page.GetByRole(AriaRole.Status).InnerTextAsync()).ShouldContain("The deadline fires now");

        // Picked and paid early, the order waits for its courier's dispatch time, the next deadline: fired as well.
        await page.Locator("[data-order-state]", new() { HasTextString = "ReadyForHandoff" }).WaitForAsync(new() { Timeout = 90_000 });
        await page.GotoAsync($"/ops/orders/{orderId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Fire now… (CourierDispatchDue)" }).ClickAsync();
        await page.GetByLabel("Reason (recorded in the audit log)").FillAsync("Courier booked early for the early pick");
        await page.GetByRole(AriaRole.Button, new() { Name = "Do it" }).ClickAsync();
        await page.Locator("[data-order-state]", new() { HasTextString = "Completed" }).WaitForAsync(new() { Timeout = 90_000 });
        // What the customer was told, and where it went: the phone as an operator sees it, its last digits only.
        await page.Locator("section[aria-labelledby=notifications] li", new() { HasTextString = "order.delivered" }).WaitForAsync();
        var delivery = await page.Locator("section[aria-labelledby=delivery]").InnerTextAsync();
        delivery.ShouldContain("*********567");
        delivery.ShouldNotContain("+84901234567");
        var audit = await console.Engine.Query(db => db.AuditLog.Where(a => a.Target == orderId.ToString()).OrderBy(a => a.Id).ToListAsync());
        audit.Select(a => a.Action).ShouldBe(["order.deadline-now", "order.deadline-now"]);
        audit[0].Parameters!.ShouldContain("Store asked to pick early");
        audit[0].Parameters!.ShouldContain("PickingDue");
        audit[1].Parameters!.ShouldContain("CourierDispatchDue");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_customer_who_does_not_answer_has_their_substitution_default_applied_by_an_operator_after_its_dry_run()
    {
        var page = await console.SignedIn();
        var orderId = await PlaceOrder("tok_success", OpsConsoleFixture.SilentCustomer);
        await WaitForOrderState(orderId, "Confirmed");
        await page.GotoAsync($"/ops/orders/{orderId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Fire now… (PickingDue)" }).ClickAsync();
        await page.GetByLabel("Reason (recorded in the audit log)").FillAsync("Store asked to pick early");
        await page.GetByRole(AriaRole.Button, new() { Name = "Do it" }).ClickAsync();

        // Every line comes up short (the test's simulation): substitutions are proposed, and this customer stays silent.
        // The page shows the round's decision deadline as it comes (live), with its own action.
        var apply = page.GetByRole(AriaRole.Button, new() { Name = "Apply the customer's default now… (SubstitutionDecisionDue)" });
        await apply.WaitForAsync(new() { Timeout = 60_000 });
        await apply.ClickAsync();
        (await page.Locator(".dry-run").InnerTextAsync()).ShouldContain("their default applies: each replacement offered is accepted.");
        await page.GetByLabel("Reason (recorded in the audit log)").FillAsync("Customer unreachable by phone");
        await page.GetByRole(AriaRole.Button, new() { Name = "Do it" }).ClickAsync();

        // The round's deadline reaches the substitution saga (its own queue, though the round was opened inline by the
        // picking saga's message), the default applies, and the order is picked and paid: it waits for its courier's
        // dispatch time, hours ahead.
        await page.Locator("[data-order-state]", new() { HasTextString = "ReadyForHandoff" }).WaitForAsync(new() { Timeout = 90_000 });
        var rounds = await console.Engine.Query(db => db.Set<Grocery.Workflows.Sagas.Substitutions.SubstitutionState>().Where(r => r.OrderId == orderId).Select(r => r.CurrentState).ToListAsync());
        rounds.ShouldContain("Decided");
        var audit = await console.Engine.Query(db => db.AuditLog.Where(a => a.Target == orderId.ToString()).OrderBy(a => a.Id).ToListAsync());
        audit.Select(a => a.Action).ShouldBe(["order.deadline-now", "order.deadline-now"]);
        audit[1].Parameters!.ShouldContain("SubstitutionDecisionDue");
        audit[1].Parameters!.ShouldContain("Customer unreachable by phone");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_silent_customer_is_asked_again_when_an_operator_sends_the_rounds_command_again_after_its_dry_run()
    {
        var page = await console.SignedIn();
        var orderId = await PlaceOrder("tok_success", OpsConsoleFixture.SilentCustomer);
        var asked = new Asked(orderId);
        using var observing = console.Engine.Services.GetRequiredService<MassTransit.IBus>().ConnectConsumeMessageObserver(asked);
        await WaitForOrderState(orderId, "Confirmed");
        await page.GotoAsync($"/ops/orders/{orderId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Fire now… (PickingDue)" }).ClickAsync();
        await page.GetByLabel("Reason (recorded in the audit log)").FillAsync("Store asked to pick early");
        await page.GetByRole(AriaRole.Button, new() { Name = "Do it" }).ClickAsync();
        await asked.AtLeast(1);

        // The round waits on the customer: its lane offers to send SubstitutionsProposed again (a reload shows the button).
        await page.GotoAsync($"/ops/orders/{orderId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send SubstitutionsProposed again…" }).ClickAsync();
        (await page.Locator(".dry-run").InnerTextAsync()).ShouldContain("is AwaitingCustomerDecision: it would publish SubstitutionsProposed again");
        await page.GetByLabel("Reason (recorded in the audit log)").FillAsync("Customer says the message never came");
        await page.GetByRole(AriaRole.Button, new() { Name = "Do it" }).ClickAsync();

        (await page.GetByRole(AriaRole.Status).InnerTextAsync()).ShouldStartWith("Sent again.");
        await asked.AtLeast(2);
        var audit = await console.Engine.Query(db => db.AuditLog.Where(a => a.Target == orderId.ToString() && a.Action == "order.resend-command").ToListAsync());
        audit.ShouldHaveSingleItem().Parameters!.ShouldContain("SubstitutionsProposed");
        await page.Context.CloseAsync();
    }

    /// <summary>Counts the customer's substitution questions for one order as the engine's consumers take them.</summary>
    private sealed class Asked(Guid orderId) : MassTransit.IConsumeMessageObserver<Grocery.Workflows.Contracts.Substitutions.SubstitutionsProposed>
    {
        private int _count;

        public Task PreConsume(MassTransit.ConsumeContext<Grocery.Workflows.Contracts.Substitutions.SubstitutionsProposed> context) => Task.CompletedTask;

        public Task PostConsume(MassTransit.ConsumeContext<Grocery.Workflows.Contracts.Substitutions.SubstitutionsProposed> context)
        {
            if (context.Message.OrderId == orderId)
            {
                Interlocked.Increment(ref _count);
            }

            return Task.CompletedTask;
        }

        public Task ConsumeFault(MassTransit.ConsumeContext<Grocery.Workflows.Contracts.Substitutions.SubstitutionsProposed> context, Exception exception) => Task.CompletedTask;

        public async Task AtLeast(int count)
        {
            var until = DateTime.UtcNow.AddSeconds(60);
            while (Volatile.Read(ref _count) < count)
            {
                DateTime.UtcNow.ShouldBeLessThan(until, $"the customer was asked {_count} times, not {count}");
                await Task.Delay(100);
            }
        }
    }

    [Fact]
    public async Task Extending_a_slot_hold_that_payment_has_confirmed_is_refused_in_its_dry_run_and_when_asked()
    {
        var page = await console.SignedIn();
        var orderId = await PlaceOrder("tok_success");
        await WaitForOrderState(orderId, "Confirmed");
        await page.GotoAsync($"/ops/orders/{orderId}");

        await page.GetByRole(AriaRole.Button, new() { Name = "Extend the slot hold…" }).ClickAsync();

        (await page.Locator(".dry-run").InnerTextAsync()).ShouldContain("holds no slot now (its reservation is Confirmed)");
        (await page.GetByRole(AriaRole.Button, new() { Name = "Do it" }).CountAsync()).ShouldBe(0);
        // Asked for anyway (a stale form): refused by the command, and the refusal is audited.
        var response = await page.APIRequest.PostAsync($"/ops/orders/{orderId}?handler=Extend", new()
        {
            Form = page.APIRequest.CreateFormData().Set("reason", "try").Set("__RequestVerificationToken",
                (await page.Locator("input[name='__RequestVerificationToken']").First.GetAttributeAsync("value"))!),
        });
        response.Status.ShouldBe(409);
        var audit = await console.Engine.Query(db => db.AuditLog.Where(a => a.Target == orderId.ToString()).ToListAsync());
        audit.ShouldHaveSingleItem().Action.ShouldBe("order.extend-hold");
        audit[0].Outcome.ShouldStartWith("refused");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_stuck_list_opens_and_says_what_it_lists()
    {
        var page = await console.SignedIn();

        await page.GetByRole(AriaRole.Link, new() { Name = "Stuck" }).ClickAsync();

        (await page.Locator("h1").InnerTextAsync()).ShouldBe("Stuck");
        (await page.Locator("main").InnerTextAsync()).ShouldContain("longer than its bound");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_failure_group_is_replayed_after_its_dry_run_and_the_replay_is_audited()
    {
        var page = await console.SignedIn();
        var orderId = await PlaceOrder("tok_provider_error");
        await console.Engine.Query(async db =>
        {
            // The provider's error fails AuthorizePayment after its retries; wait until it is recorded and the order rejected.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!await db.FailedMessages.AnyAsync(f => f.OrderId == orderId) || !await db.Timeline.AnyAsync(t => t.OrderId == orderId && t.ToState == "Rejected"))
            {
                DateTime.UtcNow.ShouldBeLessThan(deadline, "the failure was not recorded");
                await Task.Delay(200);
            }

            return true;
        });

        await page.GotoAsync("/ops/failures?message=" + Uri.EscapeDataString("urn:message:Grocery.Workflows.Contracts.Payments:AuthorizePayment"));
        var group = page.Locator("table.groups tbody tr").First;
        await group.GetByLabel("also for ended orders").CheckAsync();
        await group.GetByRole(AriaRole.Button, new() { Name = "Dry run" }).ClickAsync();

        var dryRun = page.Locator(".dry-run");
        (await dryRun.InnerTextAsync()).ShouldContain("authorize-payment");
        var replayButton = dryRun.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Replay [1-9]") });
        await replayButton.ClickAsync();

        (await page.GetByRole(AriaRole.Status).InnerTextAsync()).ShouldMatch(@"[1-9]\d* replayed");
        var audit = await console.Engine.Query(db => Task.FromResult(db.AuditLog.Where(a => a.Action == "failure.replay").Select(a => a.Name).ToList()));
        audit.ShouldContain("Lan Nguyen");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task One_failure_of_a_group_is_replayed_on_its_own_after_its_dry_run()
    {
        var page = await console.SignedIn();
        var mine = await PlaceOrder("tok_provider_error");
        var other = await PlaceOrder("tok_provider_error");
        var ids = await console.Engine.Query(async db =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await db.FailedMessages.CountAsync(f => (f.OrderId == mine || f.OrderId == other) && f.ReplayedAt == null) < 2)
            {
                DateTime.UtcNow.ShouldBeLessThan(deadline, "the two failures were not recorded");
                await Task.Delay(200);
            }

            return await db.FailedMessages.Where(f => f.OrderId == mine || f.OrderId == other).ToDictionaryAsync(f => f.OrderId!.Value, f => f.Id);
        });

        await page.GotoAsync("/ops/failures?message=" + Uri.EscapeDataString("urn:message:Grocery.Workflows.Contracts.Payments:AuthorizePayment"));
        var group = page.Locator("table.groups tbody tr").First;
        await group.GetByLabel("also for ended orders").CheckAsync();
        await group.GetByRole(AriaRole.Button, new() { Name = "Dry run" }).ClickAsync();
        var dryRun = page.Locator(".dry-run");
        (await dryRun.Locator("tbody tr").CountAsync()).ShouldBeGreaterThanOrEqualTo(2);

        await dryRun.GetByRole(AriaRole.Button, new() { Name = $"Only #{ids[mine]}" }).ClickAsync();
        (await page.Locator(".dry-run tbody tr").AllInnerTextsAsync()).ShouldHaveSingleItem().ShouldStartWith($"{ids[mine]}\t");
        await page.Locator(".dry-run").GetByRole(AriaRole.Button, new() { Name = "Replay 1" }).ClickAsync();

        (await page.GetByRole(AriaRole.Status).InnerTextAsync()).ShouldContain("1 replayed, 0 refused.");
        var replayed = await console.Engine.Query(db => db.FailedMessages.Where(f => f.Id == ids[mine] || f.Id == ids[other]).ToDictionaryAsync(f => f.Id, f => f.ReplayedAt));
        replayed[ids[mine]].ShouldNotBeNull();
        replayed[ids[other]].ShouldBeNull();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_job_is_paused_and_resumed()
    {
        var page = await console.SignedIn();
        await page.GotoAsync("/ops/jobs");
        var job = page.Locator("section.job#stock-reconciliation");

        await job.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await page.WaitForLoadStateAsync();
        var outcome = await page.GetByRole(AriaRole.Status).InnerTextAsync();
        outcome.ShouldBe("stock-reconciliation paused.");
        (await page.Locator("section.job#stock-reconciliation h2").InnerTextAsync()).ShouldContain("paused");
        await page.Locator("section.job#stock-reconciliation").GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();

        (await page.Locator("section.job#stock-reconciliation h2").InnerTextAsync()).ShouldNotContain("paused");
        var actions = await console.Engine.Query(db => Task.FromResult(db.AuditLog.Where(a => a.Target == "stock-reconciliation").Select(a => a.Action).ToList()));
        actions.ShouldContain("job.pause");
        actions.ShouldContain("job.resume");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Vietnamese_is_chosen_and_remembered()
    {
        var page = await console.SignedIn();

        await page.GetByLabel("Language").SelectOptionAsync("vi");
        await page.Locator("html[lang='vi']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.ReloadAsync();

        (await page.Locator("html").GetAttributeAsync("lang")).ShouldBe("vi");
        (await page.Locator("h1").InnerTextAsync()).ShouldBe("Hiện tại");
        (await page.GetByRole(AriaRole.Link, new() { Name = "Đơn hàng", Exact = true }).CountAsync()).ShouldBe(1);
        await page.GetByLabel("Ngôn ngữ").SelectOptionAsync("en");
        await page.Locator("html[lang='en']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        (await page.Locator("h1").InnerTextAsync()).ShouldBe("Now");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Every_page_passes_the_accessibility_check_with_no_serious_or_critical_violation()
    {
        var page = await console.SignedIn();
        var orderId = await PlaceOrder("tok_success");
        var shots = Environment.GetEnvironmentVariable("GROCERY_UPDATE_DOCS") == "1" ? ConsoleTextTests.Source("docs/images") : null;
        foreach (var path in Pages.Append($"/ops/orders/{orderId}").Prepend("/ops/sign-in"))
        {
            await page.GotoAsync(path);
            // The state machines' drawings and tables are checked open.
            await page.Locator("details.machine").EvaluateAllAsync<int>("all => { all.forEach(d => d.open = true); return all.length; }");
            var result = await page.RunAxe();
            var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{path}: {v.Id} ({v.Impact}) {v.Help}").ToList();
            serious.ShouldBeEmpty();
            if (shots is not null)
            {
                var name = path.Split('/')[^1] switch
                {
                    "ops" => "now",
                    { Length: 36 } => "order",
                    var last => last,
                };
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, $"ops-{name}.png"), FullPage = true });
            }
        }

        await page.Context.CloseAsync();
    }

    private Task<bool> WaitForOrderState(Guid orderId, string state) => console.Engine.Query(async db =>
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await db.Timeline.AnyAsync(t => t.OrderId == orderId && t.SagaType == "Order" && t.ToState == state))
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, $"order {orderId} did not reach {state}");
            await Task.Delay(100);
        }

        return true;
    });

    private async Task<Guid> PlaceOrder(string paymentToken, string customer = "cust-ops")
    {
        using var client = await console.Engine.Client();
        var body = $$$"""
            {"customerId": "{{{customer}}}", "storeId": "{{{GroceryApiFactory.Store}}}", "slotId": "{{{GroceryApiFactory.OpenSlot}}}",
             "lines": [{"sku": "DAI-00001", "quantity": 2}, {"sku": "PRO-00001", "quantity": 1.25}], "payment": {"provider": "sandbox", "token": "{{{paymentToken}}}"}, "delivery": {"address": "15 Nguyen Hue, District 1", "latitude": 10.7743, "longitude": 106.7038, "phone": "+84901234567"}}
            """;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await client.SendAsync(request);
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
    }
}
