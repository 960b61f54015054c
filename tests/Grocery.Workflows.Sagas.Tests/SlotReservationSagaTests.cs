using Grocery.Workflows.Contracts.Slots;
using Grocery.Workflows.Sagas.Slots;

namespace Grocery.Workflows.Sagas.Tests;

public sealed class SlotReservationSagaTests
{
    private static readonly Guid SlotId = Guid.Parse("5a1e0000-0000-0000-0000-000000000001");
    private readonly Guid _orderId = Guid.NewGuid();
    private readonly Guid _reservationId = Guid.NewGuid();

    private static Task<SlotReservationState> InState(SagaTestHarness h, Guid id, Func<SlotReservationStateMachine, MassTransit.State> state) =>
        h.InState<SlotReservationStateMachine, SlotReservationState>(id, state);

    /// <summary>The hold as checkout took it: lapsing after <paramref name="expiresIn"/> (the settings' hold duration by default).</summary>
    private HeldSlot Taken(SagaTestHarness h, DateTimeOffset? cutOff = null, TimeSpan? expiresIn = null)
    {
        var start = DateTimeOffset.UtcNow.AddHours(5);
        return new HeldSlot(_reservationId, start, start.AddHours(1), cutOff ?? start.AddHours(-2), DateTimeOffset.UtcNow + (expiresIn ?? h.Slot.HoldDuration));
    }

    private async Task<SlotReservationState> Hold(SagaTestHarness h, DateTimeOffset? cutOff = null, TimeSpan? expiresIn = null)
    {
        await h.Publish(new SlotHoldTaken(_orderId, Taken(h, cutOff, expiresIn), "hcm-01", SlotId));
        return await InState(h, _reservationId, m => m.Held);
    }

    [Fact]
    public async Task A_held_slot_confirmed_before_cut_off_is_booked()
    {
        await using var h = await SagaTestHarness.Start();

        var entered = h.Transitions<SlotReservationStateMachine, SlotReservationState>(_reservationId);
        var held = await Hold(h);
        held.HoldExpiresAt!.Value.ShouldBe(DateTimeOffset.UtcNow + h.Slot.HoldDuration, TimeSpan.FromSeconds(10));
        held.HoldExpirationToken.ShouldNotBeNull();
        held.OrderId.ShouldBe(_orderId);
        held.StoreId.ShouldBe("hcm-01");
        entered.Select(t => t.State).ShouldBe(["Initial", "Held"]);

        await h.Publish(new ConfirmSlot(_orderId, _reservationId));

        var confirmed = await InState(h, _reservationId, m => m.Confirmed);
        confirmed.HoldExpirationToken.ShouldBeNull();
        await h.Published<ConfirmSlotCapacity>(m => m.ReservationId == _reservationId);
        (await h.Published<SlotConfirmed>(m => m.ReservationId == _reservationId)).OrderId.ShouldBe(_orderId);
    }

    [Fact]
    public async Task A_hold_that_times_out_gives_the_capacity_back_and_tells_the_order()
    {
        await using var h = await SagaTestHarness.Start();

        await h.Publish(new SlotHoldTaken(_orderId, Taken(h, expiresIn: TimeSpan.FromMilliseconds(300)), "hcm-01", SlotId));

        await InState(h, _reservationId, m => m.Expired);
        await h.Published<ReleaseSlotCapacity>(m => m.ReservationId == _reservationId);
        await h.Published<SlotHoldExpired>(m => m.ReservationId == _reservationId && m.OrderId == _orderId);
    }

    [Fact]
    public async Task A_confirmation_after_the_cut_off_releases_the_hold()
    {
        await using var h = await SagaTestHarness.Start();

        await Hold(h, cutOff: DateTimeOffset.UtcNow.AddMinutes(-1));
        await h.Publish(new ConfirmSlot(_orderId, _reservationId));

        await InState(h, _reservationId, m => m.Released);
        await h.Published<ReleaseSlotCapacity>(m => m.ReservationId == _reservationId);
        await h.Published<SlotCutOffPassed>(m => m.ReservationId == _reservationId);
        (await h.CountPublished<SlotConfirmed>()).ShouldBe(0);
    }

    [Fact]
    public async Task A_hold_is_extended_once_when_the_slot_has_room()
    {
        await using var h = await SagaTestHarness.Start();
        var held = await Hold(h);
        var firstExpiry = held.HoldExpiresAt!.Value;

        await h.Publish(new ExtendSlotHold(_orderId, _reservationId));
        await h.Published<ExtendSlotCapacityHold>(m => m.ReservationId == _reservationId);
        await h.Publish(new SlotCapacityHoldExtended(_orderId, _reservationId));

        var extended = await h.Published<SlotHoldExtended>(m => m.ReservationId == _reservationId);
        extended.HoldExpiresAt.ShouldBe(firstExpiry + h.Slot.ExtensionDuration);

        await h.Publish(new ExtendSlotHold(_orderId, _reservationId));
        (await h.Published<SlotHoldExtensionRefused>(m => m.ReservationId == _reservationId)).Reason.ShouldContain("only once");
        (await h.CountPublished<ExtendSlotCapacityHold>()).ShouldBe(1);
        (await InState(h, _reservationId, m => m.Held)).Extensions.ShouldBe(1);
    }

    [Fact]
    public async Task An_extension_is_refused_when_the_slot_is_full()
    {
        await using var h = await SagaTestHarness.Start();
        var held = await Hold(h);
        var expiry = held.HoldExpiresAt;

        await h.Publish(new ExtendSlotHold(_orderId, _reservationId));
        await h.Publish(new SlotCapacityHoldExtensionRefused(_orderId, _reservationId, "Slot is full"));

        (await h.Published<SlotHoldExtensionRefused>(m => m.ReservationId == _reservationId)).Reason.ShouldBe("Slot is full");
        var after = await InState(h, _reservationId, m => m.Held);
        after.Extensions.ShouldBe(0);
        after.ExtensionPending.ShouldBeFalse();
        after.HoldExpiresAt.ShouldBe(expiry);
    }

    [Fact]
    public async Task The_original_deadline_of_an_extended_hold_changes_nothing()
    {
        await using var h = await SagaTestHarness.Start(slot: s => s.ExtensionDuration = TimeSpan.FromMinutes(10));
        await Hold(h, expiresIn: TimeSpan.FromMilliseconds(400));

        await h.Publish(new ExtendSlotHold(_orderId, _reservationId));
        await h.Publish(new SlotCapacityHoldExtended(_orderId, _reservationId));
        await h.Published<SlotHoldExtended>(m => m.ReservationId == _reservationId);
        await h.Quiet(atLeast: TimeSpan.FromSeconds(1));

        (await h.StateAfterQuiet<SlotReservationStateMachine, SlotReservationState>(_reservationId)).ShouldBe("Held");
        (await h.CountPublished<SlotHoldExpired>()).ShouldBe(0);
    }

    [Fact]
    public async Task Releasing_a_held_slot_gives_the_capacity_back()
    {
        await using var h = await SagaTestHarness.Start();
        await Hold(h);

        await h.Publish(new ReleaseSlot(_orderId, _reservationId));

        var released = await InState(h, _reservationId, m => m.Released);
        released.HoldExpirationToken.ShouldBeNull();
        await h.Published<ReleaseSlotCapacity>(m => m.ReservationId == _reservationId);
        await h.Published<SlotReleased>(m => m.ReservationId == _reservationId);
    }

    [Fact]
    public async Task Releasing_a_confirmed_slot_gives_the_booking_back()
    {
        await using var h = await SagaTestHarness.Start();
        await Hold(h);
        await h.Publish(new ConfirmSlot(_orderId, _reservationId));
        await InState(h, _reservationId, m => m.Confirmed);

        await h.Publish(new ReleaseSlot(_orderId, _reservationId));

        await InState(h, _reservationId, m => m.Released);
        await h.Published<ReleaseSlotCapacity>(m => m.ReservationId == _reservationId);
    }

    [Fact]
    public async Task A_hold_that_arrives_after_its_release_gives_the_capacity_back_at_once()
    {
        await using var h = await SagaTestHarness.Start();
        await h.Publish(new ReleaseSlot(_orderId, _reservationId));
        await InState(h, _reservationId, m => m.Released);

        await h.Publish(new SlotHoldTaken(_orderId, Taken(h), "hcm-01", SlotId));

        (await h.Published<ReleaseSlotCapacity>(m => m.ReservationId == _reservationId)).SlotId.ShouldBe(SlotId);
        (await h.StateAfterQuiet<SlotReservationStateMachine, SlotReservationState>(_reservationId)).ShouldBe("Released");
        (await h.CountPublished<ReleaseSlotCapacity>()).ShouldBe(1);
    }

    [Fact]
    public async Task A_confirmation_that_overtakes_the_hold_books_it_when_the_hold_arrives()
    {
        await using var h = await SagaTestHarness.Start();
        var entered = h.Transitions<SlotReservationStateMachine, SlotReservationState>(_reservationId);
        await h.Publish(new ConfirmSlot(_orderId, _reservationId));
        (await InState(h, _reservationId, m => m.AwaitingHold)).OrderId.ShouldBe(_orderId);
        (await h.CountPublished<SlotConfirmed>()).ShouldBe(0, "nothing to confirm before the hold is known");

        await h.Publish(new SlotHoldTaken(_orderId, Taken(h), "hcm-01", SlotId));

        var confirmed = await InState(h, _reservationId, m => m.Confirmed);
        (confirmed.SlotId, confirmed.StoreId).ShouldBe((SlotId, "hcm-01"));
        confirmed.HoldExpirationToken.ShouldBeNull("a confirmed hold has no expiry to wait for");
        (await h.Published<ConfirmSlotCapacity>(m => m.ReservationId == _reservationId)).SlotId.ShouldBe(SlotId);
        (await h.Published<SlotConfirmed>(m => m.ReservationId == _reservationId)).WindowStart.ShouldBe(confirmed.WindowStart!.Value);
        entered.Select(t => t.State).ShouldBe(["Initial", "AwaitingHold", "Confirmed"]);
    }

    [Fact]
    public async Task A_confirmation_that_overtakes_a_hold_past_its_cut_off_gives_the_capacity_back()
    {
        await using var h = await SagaTestHarness.Start();
        await h.Publish(new ConfirmSlot(_orderId, _reservationId));
        await InState(h, _reservationId, m => m.AwaitingHold);

        await h.Publish(new SlotHoldTaken(_orderId, Taken(h, cutOff: DateTimeOffset.UtcNow.AddMinutes(-1)), "hcm-01", SlotId));

        await InState(h, _reservationId, m => m.Released);
        await h.Published<ReleaseSlotCapacity>(m => m.ReservationId == _reservationId);
        await h.Published<SlotCutOffPassed>(m => m.ReservationId == _reservationId && m.OrderId == _orderId);
        (await h.CountPublished<SlotConfirmed>()).ShouldBe(0);
    }

    [Fact]
    public async Task A_release_while_the_hold_is_awaited_gives_the_capacity_back_when_it_arrives()
    {
        await using var h = await SagaTestHarness.Start();
        await h.Publish(new ConfirmSlot(_orderId, _reservationId));
        await InState(h, _reservationId, m => m.AwaitingHold);
        await h.Publish(new ReleaseSlot(_orderId, _reservationId));
        await InState(h, _reservationId, m => m.Released);

        await h.Publish(new SlotHoldTaken(_orderId, Taken(h), "hcm-01", SlotId));

        (await h.Published<ReleaseSlotCapacity>(m => m.ReservationId == _reservationId)).SlotId.ShouldBe(SlotId);
        (await h.StateAfterQuiet<SlotReservationStateMachine, SlotReservationState>(_reservationId)).ShouldBe("Released");
        (await h.CountPublished<SlotConfirmed>()).ShouldBe(0);
    }

    [Fact]
    public async Task A_duplicate_hold_changes_nothing()
    {
        await using var h = await SagaTestHarness.Start();
        var held = await Hold(h);

        await h.Publish(new SlotHoldTaken(_orderId, Taken(h, expiresIn: TimeSpan.FromMilliseconds(1)), "hcm-01", SlotId));

        (await h.StateAfterQuiet<SlotReservationStateMachine, SlotReservationState>(_reservationId)).ShouldBe("Held");
        var after = await InState(h, _reservationId, m => m.Held);
        after.HoldExpiresAt.ShouldBe(held.HoldExpiresAt);
        after.HoldExpirationToken.ShouldBe(held.HoldExpirationToken);
        (await h.CountPublished<ReleaseSlotCapacity>()).ShouldBe(0);
    }

    [Fact]
    public async Task A_hold_whose_expiry_passed_before_the_saga_heard_of_it_expires_at_once()
    {
        await using var h = await SagaTestHarness.Start();

        await h.Publish(new SlotHoldTaken(_orderId, Taken(h, expiresIn: TimeSpan.FromMinutes(-1)), "hcm-01", SlotId));

        await InState(h, _reservationId, m => m.Expired);
        await h.Published<ReleaseSlotCapacity>(m => m.ReservationId == _reservationId);
        await h.Published<SlotHoldExpired>(m => m.ReservationId == _reservationId && m.OrderId == _orderId);
    }

    [Fact]
    public async Task A_confirmation_for_an_expired_hold_is_ignored()
    {
        await using var h = await SagaTestHarness.Start();
        await h.Publish(new SlotHoldTaken(_orderId, Taken(h, expiresIn: TimeSpan.FromMilliseconds(200)), "hcm-01", SlotId));
        await InState(h, _reservationId, m => m.Expired);

        await h.Publish(new ConfirmSlot(_orderId, _reservationId));

        (await h.StateAfterQuiet<SlotReservationStateMachine, SlotReservationState>(_reservationId)).ShouldBe("Expired");
        (await h.CountPublished<SlotConfirmed>()).ShouldBe(0);
        (await h.CountPublished<ConfirmSlotCapacity>()).ShouldBe(0);
    }
}
