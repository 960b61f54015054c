using Grocery.Workflows.Api.Slots;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Api.Tests;

public sealed class SlotListingTests(GroceryApiFactory factory) : IClassFixture<GroceryApiFactory>
{
    private static readonly DateOnly Day = DateOnly.FromDateTime(GroceryApiFactory.OpenWindow.ToOffset(TimeSpan.FromHours(7)).DateTime);

    [Fact]
    public async Task A_day_is_served_from_memory_for_the_cache_time_and_read_again_after_it()
    {
        await factory.Client();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var listing = Listing(clock, TimeSpan.FromSeconds(1));

        var first = await listing.Get(GroceryApiFactory.Store, Day, CancellationToken.None);
        await Held(GroceryApiFactory.OpenSlot, +1);
        clock.Advance(TimeSpan.FromMilliseconds(900));
        var cached = await listing.Get(GroceryApiFactory.Store, Day, CancellationToken.None);
        clock.Advance(TimeSpan.FromMilliseconds(200));
        var reread = await listing.Get(GroceryApiFactory.Store, Day, CancellationToken.None);
        await Held(GroceryApiFactory.OpenSlot, -1);

        cached.ShouldBeSameAs(first);
        Open(reread!).Held.ShouldBe(Open(first!).Held + 1);
    }

    [Fact]
    public async Task With_no_cache_time_every_call_reads_and_an_unknown_store_is_null()
    {
        await factory.Client();
        var listing = Listing(new ManualClock(DateTimeOffset.UtcNow), TimeSpan.Zero);

        var first = await listing.Get(GroceryApiFactory.Store, Day, CancellationToken.None);
        var second = await listing.Get(GroceryApiFactory.Store, Day, CancellationToken.None);

        second.ShouldNotBeSameAs(first);
        (await listing.Get("no-such-store", Day, CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task Readers_who_find_the_day_expired_at_once_share_one_read()
    {
        await factory.Client();
        var listing = Listing(new ManualClock(DateTimeOffset.UtcNow), TimeSpan.FromMinutes(1));

        var days = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => listing.Get(GroceryApiFactory.Store, Day, CancellationToken.None))));

        days.Distinct().Count().ShouldBe(1);
    }

    private SlotListing Listing(TimeProvider clock, TimeSpan cacheTime) =>
        new(factory.Services.GetRequiredService<IServiceScopeFactory>(), clock, Options.Create(new SlotListingSettings { ListingCacheTime = cacheTime }));

    private static Persistence.Slots.DeliverySlot Open(StoreDay day) => day.Slots.Single(s => s.SlotId == GroceryApiFactory.OpenSlot);

    private Task<int> Held(Guid slot, int change) =>
        factory.Query(db => db.DeliverySlots.Where(s => s.SlotId == slot).ExecuteUpdateAsync(s => s.SetProperty(x => x.Held, x => x.Held + change)));

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
