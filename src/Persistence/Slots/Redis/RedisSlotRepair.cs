using System.ComponentModel.DataAnnotations;
using System.Linq.Expressions;
using Grocery.Workflows.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Persistence.Slots.Redis;

/// <summary>The Redis slot store (section <c>Slots</c>).</summary>
public sealed class RedisSlotSettings
{
    /// <summary>How often the counters of upcoming slots are compared with the record.</summary>
    [DurationRange("00:00:01", "01:00:00")]
    public TimeSpan RepairInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Put before every key; engines that share one Redis need different prefixes.</summary>
    [Required]
    [RegularExpression(@"^[A-Za-z0-9:_\-]{1,64}$")]
    public string KeyPrefix { get; set; } = "grocery:";
}

/// <summary>
/// Keeps Redis true to PostgreSQL. On start it loads every upcoming slot from the record (overwriting what Redis
/// had); then, every <see cref="RedisSlotSettings.RepairInterval"/>, it compares counters and rewrites a slot that
/// differs twice in a row with the same record values, so that a hold between its Redis script and its commit is
/// not mistaken for drift. A slot Redis does not know is loaded at once.
/// </summary>
public sealed partial class RedisSlotRepair(
    IServiceScopeFactory scopes, RedisSlotCounters counters, IOptions<RedisSlotSettings> settings, TimeProvider time, ILogger<RedisSlotRepair> logger)
    : BackgroundService
{
    private readonly TaskCompletionSource _rebuilt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Dictionary<Guid, SlotCounts> _suspects = [];

    /// <summary>
    /// Done once the start-up rebuild has loaded every upcoming slot. Until then a rebuild may overwrite counters that
    /// holds are moving (the database stays the final check, and the repair pass mends what is left).
    /// </summary>
    public Task Rebuilt => _rebuilt.Task;

    /// <summary>Slots rewritten because they had drifted, since start.</summary>
    public long Repaired { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var rebuilt = false;
        using var timer = new PeriodicTimer(settings.Value.RepairInterval, time);
        do
        {
            try
            {
                if (!rebuilt)
                {
                    var loaded = await Rebuild(stoppingToken);
                    LogRebuilt(logger, loaded);
                    rebuilt = true;
                    _rebuilt.TrySetResult();
                }
                else
                {
                    await Check(stoppingToken);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Redis or the database is down: the gate refuses or falls back; try again next tick.
                LogFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Loads every upcoming slot from the record, overwriting Redis. Returns how many.</summary>
    public async Task<int> Rebuild(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
        var snapshots = await Snapshots(db, s => s.WindowEnd > now, cancellationToken);
        foreach (var snapshot in snapshots)
        {
            await counters.Load(snapshot, overwrite: true);
        }

        _suspects = [];
        return snapshots.Count;
    }

    /// <summary>One comparison pass. Returns how many slots it rewrote.</summary>
    public async Task<int> Check(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
        var recorded = await db.DeliverySlots.AsNoTracking().Where(s => s.WindowEnd > now)
            .Select(s => new { s.SlotId, Counts = new SlotCounts(s.Capacity, s.Held, s.Confirmed) })
            .ToListAsync(cancellationToken);
        var cached = await counters.Read([.. recorded.Select(r => r.SlotId)]);

        var suspects = new Dictionary<Guid, SlotCounts>();
        var rewrite = new List<Guid>();
        var missing = new List<Guid>();
        for (var i = 0; i < recorded.Count; i++)
        {
            var (slotId, counts) = (recorded[i].SlotId, recorded[i].Counts);
            if (cached[i] is null)
            {
                missing.Add(slotId);
            }
            else if (cached[i] != counts)
            {
                if (_suspects.TryGetValue(slotId, out var before) && before == counts)
                {
                    rewrite.Add(slotId);
                }
                else
                {
                    suspects[slotId] = counts;
                }
            }
        }

        _suspects = suspects;
        foreach (var snapshot in await Snapshots(db, s => missing.Contains(s.SlotId), cancellationToken))
        {
            await counters.Load(snapshot, overwrite: false);
        }

        foreach (var snapshot in await Snapshots(db, s => rewrite.Contains(s.SlotId), cancellationToken))
        {
            LogDrift(logger, snapshot.SlotId, snapshot.Held, snapshot.Confirmed);
            await counters.Load(snapshot, overwrite: true);
        }

        Repaired += rewrite.Count;
        return rewrite.Count;
    }

    /// <summary>The record's view of the slots that match, with their live holds.</summary>
    internal static async Task<List<SlotSnapshot>> Snapshots(WorkflowDbContext db, Expression<Func<DeliverySlot, bool>> which, CancellationToken cancellationToken)
    {
        var slots = await db.DeliverySlots.AsNoTracking().Where(which).ToListAsync(cancellationToken);
        if (slots.Count == 0)
        {
            return [];
        }

        var ids = slots.Select(s => s.SlotId).ToList();
        var holds = (await db.SlotHolds.AsNoTracking()
                .Where(h => ids.Contains(h.SlotId) && h.Status != SlotHoldStatus.Released)
                .Select(h => new { h.SlotId, h.ReservationId, h.Status })
                .ToListAsync(cancellationToken))
            .ToLookup(h => h.SlotId, h => KeyValuePair.Create(h.ReservationId, h.Status));
        return [.. slots.Select(s => new SlotSnapshot(s.SlotId, s.Capacity, s.Held, s.Confirmed, s.WindowEnd, [.. holds[s.SlotId]]))];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Count} upcoming slots into Redis from the record")]
    private static partial void LogRebuilt(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slot {SlotId} had drifted in Redis; rewritten from the record (held {Held}, confirmed {Confirmed})")]
    private static partial void LogDrift(ILogger logger, Guid slotId, int held, int confirmed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the Redis slot counters failed; trying again next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
