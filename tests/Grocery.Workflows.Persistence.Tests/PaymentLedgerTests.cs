using Grocery.Workflows.Consumers.Payments;
using Grocery.Workflows.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Persistence.Tests;

public sealed class SqlitePaymentLedgerTests() : PaymentLedgerTests(new SqliteTestDatabase());

public sealed class PostgresPaymentLedgerTests() : PaymentLedgerTests(new PostgresTestDatabase());

/// <summary>
/// The payment ledger on a real database: captured &lt;= authorized, refunded &lt;= captured, no capture without an open
/// authorization, each step recorded once, and two racing steps of one order kept apart.
/// </summary>
public abstract class PaymentLedgerTests(TestDatabase database) : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private readonly Guid _orderId = Guid.NewGuid();
    private WorkflowTestHost _host = null!;

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        _host = await WorkflowTestHost.Start(database, dispatcher: false);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await database.DisposeAsync();
    }

    private static PaymentEntry Entry(PaymentEntryKind kind, string id, string? parent, long amount, string currency = "VND") =>
        new(kind, "sandbox", id, parent, new Money(amount, currency), At, kind == PaymentEntryKind.Authorization ? At.AddDays(7) : null);

    private Task<bool> Append(params PaymentEntry[] entries) =>
        _host.InTransaction(async sp =>
        {
            foreach (var entry in entries)
            {
                await sp.GetRequiredService<IPaymentLedger>().Append(_orderId, entry, CancellationToken.None);
            }

            return true;
        });

    private Task<PaymentPosition> Position() =>
        _host.InTransaction(sp => sp.GetRequiredService<IPaymentLedger>().Position(_orderId, CancellationToken.None));

    [Fact]
    public async Task An_authorization_captured_in_part_and_refunded_in_part_adds_up()
    {
        await Append(
            Entry(PaymentEntryKind.Authorization, "auth_1", null, 100_000),
            Entry(PaymentEntryKind.Capture, "cap_1", "auth_1", 90_000),
            Entry(PaymentEntryKind.Refund, "re_1", "cap_1", 40_000),
            Entry(PaymentEntryKind.Refund, "re_2", "cap_1", 50_000));

        var position = await Position();
        position.Captured.ShouldBe(90_000);
        position.Refunded.ShouldBe(90_000);
        position.Held.ShouldBe(0);
        position.Entries.Count.ShouldBe(4);
    }

    [Fact]
    public async Task A_capture_needs_an_authorization_and_at_most_its_amount()
    {
        await Should.ThrowAsync<PaymentInvariantViolationException>(() => Append(Entry(PaymentEntryKind.Capture, "cap_1", "auth_missing", 1)));
        await Append(Entry(PaymentEntryKind.Authorization, "auth_1", null, 100_000));

        var tooMuch = await Should.ThrowAsync<PaymentInvariantViolationException>(() => Append(Entry(PaymentEntryKind.Capture, "cap_1", "auth_1", 100_001)));
        await Should.ThrowAsync<PaymentInvariantViolationException>(() => Append(Entry(PaymentEntryKind.Capture, "cap_1", "auth_1", 100, "SGD")));

        tooMuch.Message.ShouldContain("exceeds");
        (await Position()).Captured.ShouldBe(0);
    }

    [Fact]
    public async Task A_voided_or_captured_authorization_cannot_be_captured_again()
    {
        await Append(
            Entry(PaymentEntryKind.Authorization, "auth_1", null, 100_000),
            Entry(PaymentEntryKind.Void, "auth_1", "auth_1", 100_000),
            Entry(PaymentEntryKind.Authorization, "auth_2", null, 100_000),
            Entry(PaymentEntryKind.Capture, "cap_2", "auth_2", 100_000));

        await Should.ThrowAsync<PaymentInvariantViolationException>(() => Append(Entry(PaymentEntryKind.Capture, "cap_1", "auth_1", 10)));
        await Should.ThrowAsync<PaymentInvariantViolationException>(() => Append(Entry(PaymentEntryKind.Capture, "cap_3", "auth_2", 10)));
        await Should.ThrowAsync<PaymentInvariantViolationException>(() => Append(Entry(PaymentEntryKind.Void, "auth_2", "auth_2", 100_000)));
        (await Position()).Captured.ShouldBe(100_000);
    }

    [Fact]
    public async Task A_refund_is_at_most_what_its_capture_has_left()
    {
        await Append(
            Entry(PaymentEntryKind.Authorization, "auth_1", null, 100_000),
            Entry(PaymentEntryKind.Capture, "cap_1", "auth_1", 80_000),
            Entry(PaymentEntryKind.Refund, "re_1", "cap_1", 60_000));

        await Should.ThrowAsync<PaymentInvariantViolationException>(() => Append(Entry(PaymentEntryKind.Refund, "re_2", "cap_1", 20_001)));
        await Should.ThrowAsync<PaymentInvariantViolationException>(() => Append(Entry(PaymentEntryKind.Refund, "re_3", "cap_missing", 1)));
        await Should.ThrowAsync<PaymentInvariantViolationException>(() => Append(Entry(PaymentEntryKind.Refund, "re_4", "cap_1", -5)));
        (await Position()).Refunded.ShouldBe(60_000);
    }

    [Fact]
    public async Task The_same_step_recorded_twice_is_one_line()
    {
        await Append(Entry(PaymentEntryKind.Authorization, "auth_1", null, 100_000));
        await Append(Entry(PaymentEntryKind.Authorization, "auth_1", null, 100_000), Entry(PaymentEntryKind.Capture, "cap_1", "auth_1", 100_000));
        await Append(Entry(PaymentEntryKind.Capture, "cap_1", "auth_1", 100_000));

        (await Position()).Entries.Select(e => e.Kind).ShouldBe([PaymentEntryKind.Authorization, PaymentEntryKind.Capture]);
    }

    [Fact]
    public async Task Two_racing_refunds_of_one_capture_cannot_both_pass()
    {
        await Append(Entry(PaymentEntryKind.Authorization, "auth_1", null, 100_000), Entry(PaymentEntryKind.Capture, "cap_1", "auth_1", 100_000));

        // Each reads the position, waits, then appends 60 000 of the 100 000: together they would refund 120 000.
        async Task Refund(string id) => await _host.InTransaction(async sp =>
        {
            var ledger = sp.GetRequiredService<IPaymentLedger>();
            await ledger.Position(_orderId, CancellationToken.None);
            await Task.Delay(300);
            await ledger.Append(_orderId, Entry(PaymentEntryKind.Refund, id, "cap_1", 60_000), CancellationToken.None);
            return true;
        });

        var results = await Task.WhenAll(Attempt(() => Refund("re_a")), Attempt(() => Refund("re_b")));

        results.Count(ok => ok).ShouldBe(1);
        (await Position()).Refunded.ShouldBe(60_000);
    }

    private static async Task<bool> Attempt(Func<Task> work)
    {
        try
        {
            await work();
            return true;
        }
        catch (PaymentInvariantViolationException)
        {
            return false;
        }
    }
}
