namespace Grocery.Workflows.Consumers.Slots;

/// <summary>The outcome of a hold attempt: the window it holds, or why not.</summary>
public sealed record SlotHoldResult(bool Held, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, DateTimeOffset CutOffAt, string? Reason)
{
    public static SlotHoldResult Unavailable(string reason) => new(false, default, default, default, reason);
}
