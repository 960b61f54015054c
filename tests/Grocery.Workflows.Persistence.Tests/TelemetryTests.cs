using System.Collections.Concurrent;
using System.Diagnostics;
using Grocery.Workflows.Consumers;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Contracts.Substitutions;
using Grocery.Workflows.Host.Telemetry;
using Grocery.Workflows.Messaging.Outbox;
using Grocery.Workflows.Messaging.Telemetry;
using Grocery.Workflows.Persistence.Jobs;
using Grocery.Workflows.Persistence.Telemetry;
using Grocery.Workflows.Persistence.Timeline;
using Grocery.Workflows.Sagas.Orders;
using Grocery.Workflows.Sagas.Picking;
using Grocery.Workflows.Sagas.Slots;
using Grocery.Workflows.Sagas.Substitutions;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grocery.Workflows.Persistence.Tests;

[Collection(ClusterGaugeTests.Name)]
public sealed class SqliteTelemetryTests() : TelemetryTests(new SqliteTestDatabase());

[Collection(ClusterGaugeTests.Name)]
public sealed class PostgresTelemetryTests() : TelemetryTests(new PostgresTestDatabase());

/// <summary>The cluster gauges are process-wide: the classes that set them take turns.</summary>
[CollectionDefinition(Name)]
public static class ClusterGaugeTests
{
    public const string Name = "cluster gauges";
}

/// <summary>
/// The metrics counted from a committed transaction and the gauges read from the database. Counters are process-wide
/// and other tests move them too: each test uses label values of its own, or asserts at least its own increments.
/// </summary>
public abstract class TelemetryTests(TestDatabase database) : IAsyncLifetime
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..8];
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

    private static SagaTimelineEntry Step(string saga, Guid id, string from, string to) =>
        new() { SagaType = saga, CorrelationId = id, OrderId = id, FromState = from, ToState = to, Event = "Test", At = DateTimeOffset.UtcNow, HostInstance = "test" };

    /// <summary>Writes the rows in one transaction, as a consumed message would, then counts what it committed.</summary>
    private async Task Commit(Action<WorkflowDbContext> write)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        write(db);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        SagaMetrics.Committed(db);
    }

    [Fact]
    public async Task Committed_transitions_count_as_transitions_and_as_order_outcomes_with_their_reason()
    {
        var rejected = Guid.NewGuid();
        var completed = Guid.NewGuid();
        var reason = $"Reason{_tag}";
        var completedBefore = WorkflowMetrics.OrdersCompleted.Value;

        await Commit(db =>
        {
            db.Set<OrderState>().Add(new OrderState { CorrelationId = rejected, CurrentState = "Rejected", EndReason = reason });
            db.Timeline.Add(Step("Order", rejected, $"From{_tag}", "Rejected"));
            db.Timeline.Add(Step("Order", completed, "OutForDelivery", "Completed"));
            db.Timeline.Add(Step("Order", completed, $"Cancel{_tag}", "Cancelled"));
            db.Timeline.Add(Step("Order", completed, $"Refund{_tag}", "Refunding"));
        });

        WorkflowMetrics.SagaTransitions.WithLabels("Order", $"From{_tag}", "Rejected").Value.ShouldBe(1);
        WorkflowMetrics.OrdersRejected.WithLabels(reason).Value.ShouldBe(1);
        WorkflowMetrics.OrdersCompleted.Value.ShouldBeGreaterThanOrEqualTo(completedBefore + 1);
        WorkflowMetrics.OrdersCancelled.WithLabels("CustomerRequest", $"Cancel{_tag}").Value.ShouldBe(1);
        WorkflowMetrics.OrdersCancelled.WithLabels("DeliveryFailed", $"Refund{_tag}").Value.ShouldBe(1);
    }

    [Fact]
    public async Task A_decided_substitution_round_counts_its_proposals_and_acceptances_by_who_decided()
    {
        var round = Guid.NewGuid();
        var line = new OrderLine("SUB", "Substitute", SaleUnit.Each, 1, 100);
        var before = (
            Proposals: WorkflowMetrics.SubstitutionProposals.Value,
            Customer: WorkflowMetrics.SubstitutionAcceptances.WithLabels("customer").Value,
            Default: WorkflowMetrics.SubstitutionAcceptances.WithLabels("default").Value,
            Automatic: WorkflowMetrics.SubstitutionAcceptances.WithLabels("automatic").Value);

        await Commit(db =>
        {
            db.Set<SubstitutionState>().Add(new SubstitutionState
            {
                CorrelationId = round,
                OrderId = Guid.NewGuid(),
                CurrentState = "Decided",
                Proposed = 4,
                Accepted = 3,
                Decisions =
                [
                    new SubstitutionDecision("A", SubstitutionOutcome.Accepted, line, ByDefault: false),
                    new SubstitutionDecision("B", SubstitutionOutcome.Accepted, line, ByDefault: true),
                    new SubstitutionDecision("C", SubstitutionOutcome.Accepted, line, ByDefault: true, Automatic: true),
                    new SubstitutionDecision("D", SubstitutionOutcome.Rejected, null, ByDefault: false),
                    new SubstitutionDecision("E", SubstitutionOutcome.NoReplacement, null, ByDefault: false),
                ],
            });
            db.Timeline.Add(Step("SubstitutionApproval", round, "AwaitingCustomerDecision", "Decided"));
        });

        WorkflowMetrics.SubstitutionProposals.Value.ShouldBeGreaterThanOrEqualTo(before.Proposals + 4);
        WorkflowMetrics.SubstitutionAcceptances.WithLabels("customer").Value.ShouldBeGreaterThanOrEqualTo(before.Customer + 1);
        WorkflowMetrics.SubstitutionAcceptances.WithLabels("default").Value.ShouldBeGreaterThanOrEqualTo(before.Default + 1);
        WorkflowMetrics.SubstitutionAcceptances.WithLabels("automatic").Value.ShouldBeGreaterThanOrEqualTo(before.Automatic + 1);
    }

    [Fact]
    public async Task The_gauges_read_instances_per_state_the_longest_wait_the_outbox_and_the_last_accuracy_per_store()
    {
        var now = DateTimeOffset.UtcNow;
        var waiting = $"Waiting{_tag}";
        var store = $"store-{_tag}";
        await _host.InTransaction(sp =>
        {
            var db = sp.GetRequiredService<WorkflowDbContext>();
            foreach (var (state, age) in new[] { (waiting, 120), (waiting, 30), ("Completed", 5000) })
            {
                var picking = new PickingState { CorrelationId = Guid.NewGuid(), CurrentState = state };
                db.Set<PickingState>().Add(picking);
                db.Entry(picking).Property(WorkflowDbContext.StateEnteredAt).CurrentValue = now.AddSeconds(-age);
                db.Entry(picking).Property(WorkflowDbContext.UpdatedAt).CurrentValue = now;
            }

            foreach (var due in new[] { now.AddSeconds(-40), now.AddSeconds(-10), now.AddMinutes(10) })
            {
                db.Outbox.Add(new OutboxMessage
                {
                    MessageId = Guid.NewGuid(), MessageType = "Test", DestinationAddress = "loopback://localhost/test", Body = "{}",
                    CreatedAt = due, DueAt = due,
                });
            }

            db.JobRuns.Add(Reconciliation(now.AddDays(-1), $$"""{"stores":[{"storeId":"{{store}}","accuracyPercent":50}]}"""));
            db.JobRuns.Add(Reconciliation(now.AddHours(-1), $$"""{"stores":[{"storeId":"{{store}}","accuracyPercent":97.5},{"storeId":"x-{{_tag}}","accuracyPercent":null}]}"""));
            return Task.FromResult(true);
        });

        await ActivatorUtilities.CreateInstance<ClusterGauges>(_host.Services).Refresh(CancellationToken.None);

        ClusterGauges.SagaInstances.WithLabels("Picking", waiting).Value.ShouldBe(2);
        ClusterGauges.SagaInstances.WithLabels("Picking", "Completed").Value.ShouldBe(1);
        ClusterGauges.OldestInstanceAge.WithLabels("Picking", waiting).Value.ShouldBe(120, tolerance: 10);
        // A resting state has no age: waiting there is not being stuck.
        ClusterGauges.OldestInstanceAge.GetAllLabelValues().ShouldNotContain(l => l[0] == "Picking" && l[1] == "Completed");
        OutboxGauges.OutboxBacklog.Value.ShouldBe(2);
        OutboxGauges.OutboxOldestAge.Value.ShouldBe(40, tolerance: 10);
        OutboxGauges.OutboxScheduled.Value.ShouldBe(1);
        ClusterGauges.InventoryAccuracy.WithLabels(store).Value.ShouldBe(0.975, tolerance: 1e-9);
        ClusterGauges.InventoryAccuracy.GetAllLabelValues().ShouldNotContain(l => l[0] == $"x-{_tag}");

        // A state nobody is in any more disappears rather than keeping its last count.
        await _host.InTransaction(async sp =>
            await sp.GetRequiredService<WorkflowDbContext>().Set<PickingState>().Where(p => p.CurrentState == waiting).ExecuteDeleteAsync());
        await ActivatorUtilities.CreateInstance<ClusterGauges>(_host.Services).Refresh(CancellationToken.None);
        ClusterGauges.SagaInstances.GetAllLabelValues().ShouldNotContain(l => l[1] == waiting);
        ClusterGauges.OldestInstanceAge.GetAllLabelValues().ShouldNotContain(l => l[1] == waiting);
    }

    [Fact]
    public async Task A_transition_counts_once_although_its_message_failed_once_and_was_delivered_twice()
    {
        var from = $"Flaky{_tag}";
        await using var host = await WorkflowTestHost.Start(database, dispatcher: false,
            world: x => x.AddConsumer<FlakyTransitionConsumer, GroceryConsumerDefinition<FlakyTransitionConsumer>>());
        var (orderId, messageId) = (Guid.NewGuid(), NewId.NextGuid());

        // The first attempt writes its transition and fails: rolled back, retried, committed by the second attempt.
        await host.Bus.Publish(new FlakyTransition(orderId, from), c => c.MessageId = messageId);
        await host.Eventually(db => db.Timeline.CountAsync(t => t.FromState == from), n => n == 1, "the retried transition committed");
        // The same message again (a redelivery): the inbox drops it.
        await host.Bus.Publish(new FlakyTransition(orderId, from), c => c.MessageId = messageId);
        await Task.Delay(TimeSpan.FromSeconds(1));

        FlakyTransitionConsumer.AttemptsAt(orderId).ShouldBe(2);
        (await host.Query(db => db.Timeline.CountAsync(t => t.FromState == from))).ShouldBe(1);
        WorkflowMetrics.SagaTransitions.WithLabels("Order", from, "Completed").Value.ShouldBe(1);
    }

    /// <summary>An order's failure is a critical event of the logs too (deploy/promtail keeps its category 90 days).</summary>
    [Fact]
    public async Task A_rejected_or_refunding_order_writes_one_warning_in_the_order_failures_category()
    {
        var logs = new CapturingLogs();
        await using var host = await WorkflowTestHost.Start(database, services: s => s.AddSingleton<ILoggerProvider>(logs));
        var rejected = Guid.NewGuid();
        var refunding = Guid.NewGuid();

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
            db.Set<OrderState>().Add(new OrderState { CorrelationId = rejected, CurrentState = "Rejected", EndReason = "PaymentDeclined" });
            db.Timeline.Add(Step("Order", rejected, "AwaitingPayment", "Rejected"));
            db.Timeline.Add(Step("Order", refunding, "OutForDelivery", "Refunding"));
            db.Timeline.Add(Step("Order", Guid.NewGuid(), "OutForDelivery", "Completed"));
            await db.SaveChangesAsync();
            SagaMetrics.Committed(db);
        }

        (await logs.Next(l => l.Message == $"Order {rejected} failed: Rejected from AwaitingPayment, PaymentDeclined")).ShouldNotBe(default);
        (await logs.Next(l => l.Message == $"Order {refunding} failed: Refunding from OutForDelivery, DeliveryFailed")).ShouldNotBe(default);
        logs.Lines.Count(l => l.Message.Contains(" failed: ", StringComparison.Ordinal)).ShouldBe(2);
    }

    [Fact]
    public async Task Log_lines_written_while_a_message_is_consumed_carry_its_order_and_trace()
    {
        var logs = new CapturingLogs();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "MassTransit",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = await WorkflowTestHost.Start(database, world: x => x.AddConsumer<LogProbeConsumer>(), services: s =>
        {
            s.AddSingleton<ILoggerProvider>(logs);
            s.Configure<LoggerFactoryOptions>(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        });
        var orderId = Guid.NewGuid();

        await host.Bus.Publish(new LogProbe(orderId));

        var line = await logs.Next(l => l.Message == $"probe {orderId}");
        line.Scope.ShouldContain(new KeyValuePair<string, string>("OrderId", orderId.ToString()));
        line.Scope.ShouldContain(p => p.Key == "TraceId" && p.Value.Length == 32);
    }

    private static JobRun Reconciliation(DateTimeOffset finishedAt, string summary) => new()
    {
        RunId = Guid.NewGuid(),
        JobName = Grocery.Workflows.Persistence.Stock.InventoryAccuracy.ReconciliationJob,
        Trigger = JobRunTrigger.Manual,
        Status = JobRunStatus.Succeeded,
        RequestedAt = finishedAt.AddMinutes(-5),
        StartedAt = finishedAt.AddMinutes(-5),
        FinishedAt = finishedAt,
        HeartbeatAt = finishedAt,
        Summary = summary,
    };
}

/// <summary>A message of the tests' own that its consumer only logs.</summary>
public sealed record LogProbe(Guid OrderId);

public sealed partial class LogProbeConsumer(ILogger<LogProbeConsumer> logger) : IConsumer<LogProbe>
{
    public Task Consume(ConsumeContext<LogProbe> context)
    {
        LogProbed(logger, context.Message.OrderId);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "probe {OrderId}")]
    private static partial void LogProbed(ILogger logger, Guid orderId);
}

/// <summary>Keeps every log line with the values of the scopes it was written in.</summary>
public sealed class CapturingLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<(string Message, IReadOnlyList<KeyValuePair<string, string>> Scope)> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public IReadOnlyCollection<(string Message, IReadOnlyList<KeyValuePair<string, string>> Scope)> Lines => _lines;

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    public async Task<(string Message, IReadOnlyList<KeyValuePair<string, string>> Scope)> Next(Func<(string Message, IReadOnlyList<KeyValuePair<string, string>> Scope), bool> match)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < until)
        {
            if (_lines.FirstOrDefault(match) is { Message: not null } line)
            {
                return line;
            }

            await Task.Delay(50);
        }

        throw new ShouldAssertException("No such log line was written in 20 s");
    }

    private sealed class Logger(CapturingLogs owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new List<KeyValuePair<string, string>>();
            owner._scopes.ForEachScope((value, values) =>
            {
                if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    values.AddRange(pairs.Select(p => new KeyValuePair<string, string>(p.Key, p.Value?.ToString() ?? "")));
                }
            }, scope);
            owner._lines.Enqueue((formatter(state, exception), scope));
        }
    }
}

/// <summary>A message of the tests' own whose consumer writes a transition and fails on its first attempt.</summary>
public sealed record FlakyTransition(Guid OrderId, string From);

public sealed class FlakyTransitionConsumer(WorkflowDbContext db) : IConsumer<FlakyTransition>
{
    private static readonly ConcurrentDictionary<Guid, int> Attempts = new();

    public static int AttemptsAt(Guid orderId) => Attempts[orderId];

    public Task Consume(ConsumeContext<FlakyTransition> context)
    {
        var message = context.Message;
        db.Timeline.Add(new SagaTimelineEntry
        {
            SagaType = "Order", CorrelationId = message.OrderId, OrderId = message.OrderId, FromState = message.From, ToState = "Completed",
            Event = "Test", At = DateTimeOffset.UtcNow, HostInstance = "test",
        });
        return Attempts.AddOrUpdate(message.OrderId, 1, (_, n) => n + 1) == 1
            ? throw new InvalidOperationException("the first attempt fails")
            : Task.CompletedTask;
    }
}
