using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StackExchange.Redis.KeyspaceIsolation;

namespace Grocery.Workflows.Persistence.Slots.Redis;

/// <summary>What the Redis gate said about a hold.</summary>
public enum SlotGate
{
    /// <summary>Redis does not know the slot (never loaded, expired or flushed): load it from the record.</summary>
    Unknown = -1,

    /// <summary>Held and confirmed already fill the capacity.</summary>
    Full = 0,

    /// <summary>This call took a unit.</summary>
    Taken = 1,

    /// <summary>The reservation already holds (or has confirmed) a unit of this slot.</summary>
    AlreadyHeld = 2,
}

/// <summary>A slot as the record has it, to load into Redis.</summary>
public sealed record SlotSnapshot(Guid SlotId, int Capacity, int Held, int Confirmed, DateTimeOffset WindowEnd, IReadOnlyList<KeyValuePair<Guid, SlotHoldStatus>> Holds);

/// <summary>The counters Redis keeps of a slot.</summary>
public readonly record struct SlotCounts(int Capacity, int Held, int Confirmed);

/// <summary>
/// A slot's counters in Redis, changed only by Lua scripts, each atomic: hash <c>{prefix}slot:{id}</c> holds
/// capacity, held and confirmed; hash <c>{prefix}slot:{id}:holds</c> maps each live reservation to H (held) or C
/// (confirmed). The braces keep both keys of a slot on one cluster node. Keys expire a day after the window ends.
/// </summary>
public sealed class RedisSlotCounters(IConnectionMultiplexer redis, IOptions<RedisSlotSettings> settings)
{
    private const string HoldScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 2 end
        local c = redis.call('HMGET', KEYS[1], 'capacity', 'held', 'confirmed')
        if tonumber(c[2]) + tonumber(c[3]) >= tonumber(c[1]) then return 0 end
        redis.call('HINCRBY', KEYS[1], 'held', 1)
        redis.call('HSET', KEYS[2], ARGV[1], 'H')
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
        return 1
        """;

    private const string ConfirmScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        if redis.call('HGET', KEYS[2], ARGV[1]) ~= 'H' then return 0 end
        redis.call('HSET', KEYS[2], ARGV[1], 'C')
        redis.call('HINCRBY', KEYS[1], 'held', -1)
        redis.call('HINCRBY', KEYS[1], 'confirmed', 1)
        return 1
        """;

    private const string ReleaseScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        local s = redis.call('HGET', KEYS[2], ARGV[1])
        if s == 'H' then redis.call('HINCRBY', KEYS[1], 'held', -1)
        elseif s == 'C' then redis.call('HINCRBY', KEYS[1], 'confirmed', -1)
        else return 0 end
        redis.call('HDEL', KEYS[2], ARGV[1])
        return 1
        """;

    private const string HasRoomScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        if redis.call('HGET', KEYS[2], ARGV[1]) ~= 'H' then return 0 end
        local c = redis.call('HMGET', KEYS[1], 'capacity', 'held', 'confirmed')
        if tonumber(c[2]) + tonumber(c[3]) >= tonumber(c[1]) then return 0 end
        return 1
        """;

    // ARGV: overwrite (0|1), capacity, held, confirmed, expire-at (unix ms), then reservation/status pairs.
    private const string LoadScript = """
        if ARGV[1] == '0' and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('DEL', KEYS[1], KEYS[2])
        redis.call('HSET', KEYS[1], 'capacity', ARGV[2], 'held', ARGV[3], 'confirmed', ARGV[4])
        redis.call('PEXPIREAT', KEYS[1], ARGV[5])
        if #ARGV > 5 then
          for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
          redis.call('PEXPIREAT', KEYS[2], ARGV[5])
        end
        return 1
        """;

    private IDatabase Db => redis.GetDatabase().WithKeyPrefix(settings.Value.KeyPrefix);

    public async Task<SlotGate> Hold(Guid slotId, Guid reservationId) => (SlotGate)await Run(HoldScript, slotId, reservationId);

    /// <summary>Moves the reservation's unit from held to confirmed; false when it was not held (or the slot is unknown).</summary>
    public async Task<bool> Confirm(Guid slotId, Guid reservationId) => await Run(ConfirmScript, slotId, reservationId) == 1;

    /// <summary>Gives the reservation's unit back, held or confirmed; false when it had none.</summary>
    public async Task<bool> Release(Guid slotId, Guid reservationId) => await Run(ReleaseScript, slotId, reservationId) == 1;

    /// <summary>1 when the reservation holds a unit and the slot still has room, 0 when not, -1 when the slot is unknown.</summary>
    public Task<int> HasRoom(Guid slotId, Guid reservationId) => Run(HasRoomScript, slotId, reservationId);

    /// <summary>Writes the record's view of a slot; without <paramref name="overwrite"/>, only when Redis does not know it.</summary>
    public async Task<bool> Load(SlotSnapshot slot, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(slot);
        var args = new List<RedisValue>(5 + slot.Holds.Count * 2)
        {
            overwrite ? "1" : "0", slot.Capacity, slot.Held, slot.Confirmed, slot.WindowEnd.AddDays(1).ToUnixTimeMilliseconds(),
        };
        foreach (var (reservationId, status) in slot.Holds)
        {
            if (status != SlotHoldStatus.Released)
            {
                args.Add(reservationId.ToString("N"));
                args.Add(status == SlotHoldStatus.Held ? "H" : "C");
            }
        }

        return (int)await Db.ScriptEvaluateAsync(LoadScript, Keys(slotId: slot.SlotId), [.. args]) == 1;
    }

    /// <summary>The counters of many slots in one round trip; null for a slot Redis does not know.</summary>
    public async Task<SlotCounts?[]> Read(IReadOnlyList<Guid> slotIds)
    {
        ArgumentNullException.ThrowIfNull(slotIds);
        var batch = Db.CreateBatch();
        var reads = slotIds.Select(id => batch.HashGetAsync(SlotKey(id), ["capacity", "held", "confirmed"])).ToArray();
        batch.Execute();
        var result = new SlotCounts?[reads.Length];
        for (var i = 0; i < reads.Length; i++)
        {
            var values = await reads[i];
            result[i] = values[0].IsNull ? null : new SlotCounts((int)values[0], (int)values[1], (int)values[2]);
        }

        return result;
    }

    private async Task<int> Run(string script, Guid slotId, Guid reservationId) =>
        (int)await Db.ScriptEvaluateAsync(script, Keys(slotId), [reservationId.ToString("N")]);

    private static RedisKey[] Keys(Guid slotId) => [SlotKey(slotId), HoldsKey(slotId)];

    internal static RedisKey SlotKey(Guid slotId) => "slot:{" + slotId.ToString("N", CultureInfo.InvariantCulture) + "}";

    internal static RedisKey HoldsKey(Guid slotId) => "slot:{" + slotId.ToString("N", CultureInfo.InvariantCulture) + "}:holds";
}
