namespace Grocery.Workflows.Contracts.Picking;

/// <summary>The order asks the store to pick it; starts the picking saga.</summary>
/// <param name="OrderId">The order; correlates the picking saga.</param>
/// <param name="StoreId">The store.</param>
/// <param name="Lines">What to pick.</param>
/// <param name="SubstitutionPreference">The customer's preference for short lines.</param>
public sealed record StartPicking(Guid OrderId, string StoreId, IReadOnlyList<OrderLine> Lines, SubstitutionPreference SubstitutionPreference);

/// <summary>Stop picking: the order was cancelled.</summary>
/// <param name="OrderId">The order.</param>
public sealed record CancelPicking(Guid OrderId);

/// <summary>The order waits for a picker (first time, or after a picker timed out).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="StoreId">The store.</param>
/// <param name="Attempt">1 for the first assignment, then one more per reassignment.</param>
public sealed record PickingQueued(Guid OrderId, string StoreId, int Attempt);

/// <summary>From the store's picker app: a picker took the order.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="PickerId">The picker.</param>
public sealed record PickerAssigned(Guid OrderId, string PickerId);

/// <summary>From the picker app: the picker is at the shelves.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="PickerId">The picker.</param>
public sealed record PickerStarted(Guid OrderId, string PickerId);

/// <summary>
/// From the picker app: the pick list as the picker found it, in one report. Usually every ordered line; a report
/// may leave lines out (a replacement picker finishing what a replaced one began), and a later report of a line
/// replaces the earlier one.
/// </summary>
/// <param name="OrderId">The order.</param>
/// <param name="PickerId">The picker.</param>
/// <param name="Lines">The reported lines, one per ordered SKU.</param>
public sealed record PickListReported(Guid OrderId, string PickerId, IReadOnlyList<PickListLine> Lines);

/// <summary>One ordered line as picked: in full (weighed items: the measured weight), or short.</summary>
/// <param name="Sku">The ordered SKU.</param>
/// <param name="PickedQuantity">Pieces, or the measured kilograms; for a short line what could be picked of it (often 0).</param>
/// <param name="IsShort">The line could not be picked in full.</param>
/// <param name="ProposedSubstitute">For a short line, a replacement for the missing quantity, or none.</param>
public sealed record PickListLine(string Sku, decimal PickedQuantity, bool IsShort, OrderLine? ProposedSubstitute)
{
    /// <summary>A line picked in full.</summary>
    public static PickListLine Picked(string sku, decimal quantity) => new(sku, quantity, IsShort: false, ProposedSubstitute: null);

    /// <summary>A line that could not be picked in full, with a replacement for the missing quantity or none.</summary>
    public static PickListLine PickedShort(string sku, decimal pickedQuantity, OrderLine? proposedSubstitute) =>
        new(sku, pickedQuantity, IsShort: true, proposedSubstitute);
}

/// <summary>Picking is under way: the order can no longer be cancelled.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="PickerId">The picker.</param>
public sealed record PickingStarted(Guid OrderId, string PickerId);

/// <summary>The picker stopped answering; the order goes back to the queue for another picker.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="PickerId">The picker who timed out.</param>
/// <param name="Attempt">The assignment that timed out.</param>
public sealed record PickerTimedOut(Guid OrderId, string PickerId, int Attempt);

/// <summary>Every line is picked or decided; these are the lines that leave the store.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="StoreId">The store.</param>
/// <param name="Lines">Picked lines with actual quantities and approved replacements.</param>
public sealed record PickingCompleted(Guid OrderId, string StoreId, IReadOnlyList<PickedLine> Lines);

/// <summary>Picking stopped because the order was cancelled.</summary>
/// <param name="OrderId">The order.</param>
public sealed record PickingCancelled(Guid OrderId);

/// <summary>Scheduled by the picking saga: the picker has not reported within the timeout.</summary>
/// <param name="OrderId">The order.</param>
public sealed record PickerResponseTimeout(Guid OrderId);
