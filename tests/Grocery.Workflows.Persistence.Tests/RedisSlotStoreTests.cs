using Grocery.Workflows.Consumers.Slots;
using Grocery.Workflows.Persistence.Slots;
using Grocery.Workflows.Persistence.Slots.Redis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FeatureManagement;
using Shouldly;
using StackExchange.Redis;
using StackExchange.Redis.KeyspaceIsolation;

namespace Grocery.Workflows.Persistence.Tests;

/// <summary>
/// Slot capacity on the real PostgreSQL and Redis from scripts/services.sh (GROCERY_POSTGRES, GROCERY_REDIS).
/// Every test uses slots of its own, so the shared Redis needs no cleaning.
/// </summary>
public sealed class RedisSlotStoreTests : IClassFixture<PostgresTestDatabase>, IAsyncLifetime
{
    private const string Store = "store-redis";
    private readonly PostgresTestDatabase _database;
    private WorkflowTestHost _host = null!;

    public RedisSlotStoreTests(PostgresTestDatabase database) => _database = database;

    private static string RedisConnection => Environment.GetEnvironmentVariable("GROCERY_REDIS") is { Length: > 0 } configured ? configured : "127.0.0.1:6379";

    private IDatabase Redis => _host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase().WithKeyPrefix("grocery:");

    private RedisSlotRepair Repair => _host.Services.GetRequiredService<RedisSlotRepair>();

    public async Task InitializeAsync()
    {
        _host = await WorkflowTestHost.Start(_database, dispatcher: false,
            services: s => s.AddRedisSlotStore(RedisConnection),
            settings: new Dictionary<string, string?> { ["Slots:RepairInterval"] = "01:00:00" });
        // The start-up rebuild overwrites the counters of every upcoming slot: let it finish before a test moves them.
        await Repair.Rebuilt.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<Guid> NewSlot(int capacity)
    {
        var slotId = Guid.NewGuid();
        await _host.AddSlot(slotId, Store, capacity, DateTimeOffset.UtcNow.AddDays(1));
        return slotId;
    }

    private Task<SlotHoldResult> Hold(Guid slotId, Guid reservationId) =>
        _host.InTransaction(sp => sp.GetRequiredService<ISlotCapacity>().Hold(Guid.NewGuid(), reservationId, Store, slotId, CancellationToken.None));

    private Task<bool> Confirm(Guid reservationId) =>
        _host.InTransaction(async sp =>
        {
            await sp.GetRequiredService<ISlotCapacity>().Confirm(reservationId, CancellationToken.None);
            return true;
        });

    private Task<bool> Release(Guid reservationId) =>
        _host.InTransaction(async sp =>
        {
            await sp.GetRequiredService<ISlotCapacity>().Release(reservationId, CancellationToken.None);
            return true;
        });

    private async Task<SlotCounts?> Cached(Guid slotId) => (await _host.Services.GetRequiredService<RedisSlotCounters>().Read([slotId]))[0];

    private Task<SlotCounts> Recorded(Guid slotId) =>
        _host.Query(db => db.DeliverySlots.Where(s => s.SlotId == slotId).Select(s => new SlotCounts(s.Capacity, s.Held, s.Confirmed)).SingleAsync());

    [Fact]
    public async Task With_the_RedisSlotStore_flag_off_holds_go_to_the_database_alone()
    {
        await using var switchedOff = await WorkflowTestHost.Start(_database, dispatcher: false,
            services: s => s.AddRedisSlotStore(RedisConnection).AddFeatureManagement(),
            settings: new Dictionary<string, string?> { ["Slots:RepairInterval"] = "01:00:00", ["FeatureManagement:RedisSlotStore"] = "false" });
        await switchedOff.Services.GetRequiredService<RedisSlotRepair>().Rebuilt.WaitAsync(TimeSpan.FromSeconds(30));
        var slotId = await NewSlot(capacity: 2);
        var reservationId = Guid.NewGuid();

        var held = await switchedOff.InTransaction(sp => sp.GetRequiredService<ISlotCapacity>().Hold(Guid.NewGuid(), reservationId, Store, slotId, CancellationToken.None));
        await switchedOff.InTransaction(async sp =>
        {
            await sp.GetRequiredService<ISlotCapacity>().Confirm(reservationId, CancellationToken.None);
            return true;
        });

        held.Held.ShouldBeTrue();
        (await Recorded(slotId)).ShouldBe(new SlotCounts(2, 0, 1));
        // The slot was made after the start-up rebuild; with the flag on, the hold would have loaded it into Redis.
        (await Cached(slotId)).ShouldBeNull();

        (await Hold(slotId, Guid.NewGuid())).Held.ShouldBeTrue();
        (await Cached(slotId)).ShouldBe(new SlotCounts(2, 1, 1));
    }

    [Fact]
    public async Task Two_hundred_concurrent_holds_on_twenty_places_give_exactly_twenty()
    {
        var slotId = await NewSlot(capacity: 20);

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Hold(slotId, Guid.NewGuid())));

        results.Count(r => r.Held).ShouldBe(20);
        results.Where(r => !r.Held).ShouldAllBe(r => r.Reason == "The slot is full");
        (await Recorded(slotId)).ShouldBe(new SlotCounts(20, 20, 0));
        (await _host.Query(db => db.SlotHolds.CountAsync(h => h.SlotId == slotId && h.Status == SlotHoldStatus.Held))).ShouldBe(20);
        (await Cached(slotId)).ShouldBe(new SlotCounts(20, 20, 0));
    }

    [Fact]
    public async Task Hold_confirm_and_release_move_Redis_and_the_record_together()
    {
        var slotId = await NewSlot(capacity: 2);
        var (first, second, third) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        (await Hold(slotId, first)).Held.ShouldBeTrue();
        (await Hold(slotId, first)).Held.ShouldBeTrue("a second hold for the same reservation takes no second place");
        (await Hold(slotId, second)).Held.ShouldBeTrue();
        (await Hold(slotId, third)).Reason.ShouldBe("The slot is full");
        await Confirm(first);
        await Confirm(first);
        await Release(second);
        await Release(second);

        (await Cached(slotId)).ShouldBe(new SlotCounts(2, 0, 1));
        (await Recorded(slotId)).ShouldBe(new SlotCounts(2, 0, 1));
        (await Hold(slotId, second)).Reason.ShouldBe("The hold was released");
        (await Cached(slotId)).ShouldBe(new SlotCounts(2, 0, 1), "the refused re-hold gave its unit back");
        (await Hold(slotId, third)).Held.ShouldBeTrue();
        (await Cached(slotId)).ShouldBe(new SlotCounts(2, 1, 1));
    }

    [Fact]
    public async Task A_hold_whose_transaction_rolls_back_gives_its_Redis_unit_back_when_abandoned()
    {
        var slotId = await NewSlot(capacity: 1);
        var reservationId = Guid.NewGuid();
        await HoldThenRollBack(slotId, reservationId);

        (await Recorded(slotId)).ShouldBe(new SlotCounts(1, 0, 0));
        (await Cached(slotId)).ShouldBe(new SlotCounts(1, 0, 0), "the unit went back without waiting for the repair pass");
        (await Hold(slotId, Guid.NewGuid())).Held.ShouldBeTrue("the place can be sold again");
    }

    /// <summary>Checkout refusing an order after its hold (a short line): the transaction rolls back, then the hold is abandoned.</summary>
    private async Task HoldThenRollBack(Guid slotId, Guid reservationId)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
        var slots = scope.ServiceProvider.GetRequiredService<ISlotCapacity>();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            (await slots.Hold(Guid.NewGuid(), reservationId, Store, slotId, CancellationToken.None)).Held.ShouldBeTrue();
            (await Cached(slotId)).ShouldBe(new SlotCounts(1, 1, 0), "Redis counted the hold at once");
            await transaction.RollbackAsync();
        }

        await slots.Abandon(reservationId, slotId);
    }

    [Fact]
    public async Task A_slot_Redis_lost_is_loaded_from_the_record_with_its_holds()
    {
        var slotId = await NewSlot(capacity: 3);
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        await Hold(slotId, first);
        await Hold(slotId, second);
        await Confirm(first);

        await Redis.KeyDeleteAsync([RedisSlotCounters.SlotKey(slotId), RedisSlotCounters.HoldsKey(slotId)]);
        (await Hold(slotId, Guid.NewGuid())).Held.ShouldBeTrue();
        (await Hold(slotId, Guid.NewGuid())).Held.ShouldBeFalse();
        (await Cached(slotId)).ShouldBe(new SlotCounts(3, 2, 1));

        // The loaded holds are live: the second reservation can still confirm, in Redis too.
        await Confirm(second);
        (await Cached(slotId)).ShouldBe(new SlotCounts(3, 1, 2));
        (await Recorded(slotId)).ShouldBe(new SlotCounts(3, 1, 2));
        (await Redis.KeyTimeToLiveAsync(RedisSlotCounters.SlotKey(slotId))).ShouldNotBeNull("a loaded slot expires after its window");
    }

    [Fact]
    public async Task When_Redis_counts_too_few_the_record_still_refuses_and_the_unit_goes_back()
    {
        var slotId = await NewSlot(capacity: 1);
        await Hold(slotId, Guid.NewGuid());
        await Redis.HashSetAsync(RedisSlotCounters.SlotKey(slotId), "held", 0);

        var late = await Hold(slotId, Guid.NewGuid());

        late.Held.ShouldBeFalse("the record's conditional update is the final check");
        (await Recorded(slotId)).ShouldBe(new SlotCounts(1, 1, 0));
        (await Cached(slotId)).ShouldBe(new SlotCounts(1, 0, 0));
    }

    [Fact]
    public async Task Drift_is_rewritten_from_the_record_when_seen_twice()
    {
        var slotId = await NewSlot(capacity: 5);
        await Hold(slotId, Guid.NewGuid());
        await Redis.HashIncrementAsync(RedisSlotCounters.SlotKey(slotId), "held", 3);

        (await Repair.Check(CancellationToken.None)).ShouldBe(0, "the first sighting might be a hold between its script and its commit");
        (await Cached(slotId)).ShouldBe(new SlotCounts(5, 4, 0));
        (await Repair.Check(CancellationToken.None)).ShouldBe(1);
        (await Cached(slotId)).ShouldBe(new SlotCounts(5, 1, 0));
        (await Repair.Check(CancellationToken.None)).ShouldBe(0);
    }

    [Fact]
    public async Task Rebuild_overwrites_every_upcoming_slot_and_check_loads_a_missing_one()
    {
        var slotId = await NewSlot(capacity: 4);
        await Hold(slotId, Guid.NewGuid());
        await Redis.HashSetAsync(RedisSlotCounters.SlotKey(slotId), "capacity", 40);

        (await Repair.Rebuild(CancellationToken.None)).ShouldBeGreaterThanOrEqualTo(1);
        (await Cached(slotId)).ShouldBe(new SlotCounts(4, 1, 0));

        await Redis.KeyDeleteAsync(RedisSlotCounters.SlotKey(slotId));
        await Repair.Check(CancellationToken.None);
        (await Cached(slotId)).ShouldBe(new SlotCounts(4, 1, 0));
    }
}
