using Grocery.Workflows.Consumers.Slots;
using Grocery.Workflows.Sagas;
using Microsoft.FeatureManagement;
using StackExchange.Redis;

namespace Grocery.Workflows.Persistence.Slots.Redis;

/// <summary>
/// Slot capacity with Redis as the fast gate and PostgreSQL as the record. A hold is first taken by a Lua script, so
/// under a rush a full slot is refused without touching the database; what Redis lets through is then recorded by
/// <see cref="EfSlotCapacity"/>, whose conditional update stays the final check: if Redis has drifted low, the record
/// refuses and the unit goes back to Redis. Drift the other way (a unit Redis took whose transaction never committed)
/// is repaired by <see cref="RedisSlotRepair"/>. With the feature <see cref="GroceryFeatures.RedisSlotStore"/> off, every
/// call goes to the record alone (Redis misbehaving, say); the repair pass rewrites the counters that drifted meanwhile.
/// </summary>
public sealed class RedisSlotCapacity(EfSlotCapacity record, RedisSlotCounters counters, WorkflowDbContext db, IFeatureManager? features = null) : ISlotCapacity
{
    public async Task<SlotHoldResult> Hold(Guid orderId, Guid reservationId, string storeId, Guid slotId, CancellationToken cancellationToken)
    {
        if (!await RedisOn())
        {
            return await record.Hold(orderId, reservationId, storeId, slotId, cancellationToken);
        }

        var gate = await counters.Hold(slotId, reservationId);
        if (gate == SlotGate.Unknown && await LoadFromRecord(slotId, cancellationToken))
        {
            gate = await counters.Hold(slotId, reservationId);
        }

        if (gate == SlotGate.Full)
        {
            return SlotHoldResult.Unavailable("The slot is full");
        }

        SlotHoldResult result;
        try
        {
            result = await record.Hold(orderId, reservationId, storeId, slotId, cancellationToken);
        }
        catch
        {
            await GiveBack(gate, slotId, reservationId);
            throw;
        }

        if (!result.Held)
        {
            await GiveBack(gate, slotId, reservationId);
        }

        return result;
    }

    public async Task<bool> HasRoomToExtend(Guid reservationId, CancellationToken cancellationToken)
    {
        if (!await RedisOn())
        {
            return await record.HasRoomToExtend(reservationId, cancellationToken);
        }

        var slotId = await record.SlotOf(reservationId, cancellationToken);
        if (slotId is null)
        {
            return false;
        }

        var room = await counters.HasRoom(slotId.Value, reservationId);
        return room < 0 ? await record.HasRoomToExtend(reservationId, cancellationToken) : room == 1;
    }

    public async Task Confirm(Guid reservationId, CancellationToken cancellationToken)
    {
        // The record moves first; the script is idempotent, so a retry after a failed commit moves Redis at most once.
        if (await record.ConfirmHold(reservationId, cancellationToken) is { } slotId)
        {
            await Follow(() => counters.Confirm(slotId, reservationId));
        }
    }

    public async Task Release(Guid reservationId, CancellationToken cancellationToken)
    {
        if (await record.ReleaseHold(reservationId, cancellationToken) is { } slotId)
        {
            await Follow(() => counters.Release(slotId, reservationId));
        }
    }

    /// <summary>
    /// The record's hold rolled back with its transaction: the unit Redis counted goes back now rather than at the
    /// repair pass. If Redis does not answer, the repair pass mends it (the record is the truth).
    /// </summary>
    public async Task Abandon(Guid reservationId, Guid slotId)
    {
        try
        {
            await counters.Release(slotId, reservationId);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // Left for the repair pass.
        }
    }

    /// <summary>
    /// Moves Redis after the record. With the feature off Redis is only followed as far as it answers, so that a hold
    /// taken before the switch and released during it does not stay counted there when the feature comes back.
    /// </summary>
    private async Task Follow(Func<Task<bool>> move)
    {
        if (await RedisOn())
        {
            await move();
            return;
        }

        try
        {
            await move();
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // Off because Redis misbehaves: the repair pass mends what this could not move.
        }
    }

    /// <summary>Without feature management (a host that does not register it) the counters are used.</summary>
    private Task<bool> RedisOn() => features?.IsEnabledAsync(GroceryFeatures.RedisSlotStore) ?? Task.FromResult(true);

    /// <summary>A unit this call took goes back when the record refuses it or fails; one held before stays.</summary>
    private Task GiveBack(SlotGate gate, Guid slotId, Guid reservationId) =>
        gate == SlotGate.Taken ? counters.Release(slotId, reservationId) : Task.CompletedTask;

    private async Task<bool> LoadFromRecord(Guid slotId, CancellationToken cancellationToken)
    {
        var snapshots = await RedisSlotRepair.Snapshots(db, s => s.SlotId == slotId, cancellationToken);
        foreach (var snapshot in snapshots)
        {
            await counters.Load(snapshot, overwrite: false);
        }

        return snapshots.Count == 1;
    }
}
