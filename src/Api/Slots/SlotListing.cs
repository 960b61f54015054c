using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Slots;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Api.Slots;

/// <summary>Slot listing settings (section <c>Slots</c>).</summary>
public sealed class SlotListingSettings
{
    /// <summary>
    /// How long a store's day of slots is served from memory before it is read again. Availability shown to a
    /// shopper can be this much behind; booking never is (the hold is decided by the slot store). Zero reads every time.
    /// </summary>
    [DurationRange("00:00:00", "00:01:00")]
    public TimeSpan ListingCacheTime { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>A store's delivery slots on one local day, and the store's time zone.</summary>
public sealed record StoreDay(TimeZoneInfo Zone, IReadOnlyList<DeliverySlot> Slots);

/// <summary>
/// The slots of a store's day, read from the database at most once per <see cref="SlotListingSettings.ListingCacheTime"/>:
/// at 1,000 listings a second, two queries per request cost more than the whole engine's work. Concurrent readers of
/// an expired day share one read.
/// </summary>
public sealed class SlotListing(IServiceScopeFactory scopes, TimeProvider time, IOptions<SlotListingSettings> options)
{
    /// <summary>Past this many remembered days, expired ones are dropped (a client walking through dates).</summary>
    private const int PruneAbove = 2_000;

    private readonly ConcurrentDictionary<(string Store, DateOnly Day), Lazy<Task<Entry>>> _days = new();
    private readonly TimeSpan _cacheTime = options.Value.ListingCacheTime;

    /// <summary>The store's day, or null when there is no such store.</summary>
    public async Task<StoreDay?> Get(string storeId, DateOnly day, CancellationToken cancellationToken)
    {
        if (_cacheTime <= TimeSpan.Zero)
        {
            return (await Read(storeId, day, cancellationToken)).Day;
        }

        var key = (storeId, day);
        var now = time.GetUtcNow();
        if (_days.TryGetValue(key, out var cached) && Fresh(cached, now))
        {
            return (await cached.Value.WaitAsync(cancellationToken)).Day;
        }

        if (_days.Count > PruneAbove)
        {
            foreach (var stale in _days.Where(d => !Fresh(d.Value, now)).ToList())
            {
                _days.TryRemove(stale);
            }
        }

        // Whoever finds the day expired first puts one read in place; the others await that one. The read is not tied
        // to any one request's cancellation.
        var fresh = new Lazy<Task<Entry>>(() => Read(storeId, day, CancellationToken.None));
        var current = _days.AddOrUpdate(key, fresh, (_, existing) => Fresh(existing, now) ? existing : fresh);
        return (await current.Value.WaitAsync(cancellationToken)).Day;
    }

    /// <summary>A read still running, or one that succeeded within the cache time; a failed read is tried again.</summary>
    private bool Fresh(Lazy<Task<Entry>> entry, DateTimeOffset now) =>
        !entry.IsValueCreated || !entry.Value.IsCompleted || (entry.Value.IsCompletedSuccessfully && now - entry.Value.Result.ReadAt < _cacheTime);

    private async Task<Entry> Read(string storeId, DateOnly day, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
        var readAt = time.GetUtcNow();
        var store = await db.Stores.AsNoTracking().SingleOrDefaultAsync(s => s.StoreId == storeId, cancellationToken);
        if (store is null)
        {
            return new Entry(null, readAt);
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(store.TimeZone);
        var from = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue), zone), TimeSpan.Zero);
        var to = from.AddDays(1);
        var slots = await db.DeliverySlots.AsNoTracking()
            .Where(s => s.StoreId == storeId && s.WindowStart >= from && s.WindowStart < to)
            .OrderBy(s => s.WindowStart)
            .ToListAsync(cancellationToken);
        return new Entry(new StoreDay(zone, slots), readAt);
    }

    private sealed record Entry(StoreDay? Day, DateTimeOffset ReadAt);
}
