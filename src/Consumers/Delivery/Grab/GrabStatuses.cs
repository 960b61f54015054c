namespace Grocery.Workflows.Consumers.Delivery.Grab;

/// <summary>Grab's delivery statuses in the engine's words (both spellings Grab is seen to use are taken).</summary>
public static class GrabStatuses
{
    public static CourierStatus? Of(string? status) => status?.ToUpperInvariant() switch
    {
        "QUEUEING" or "QUEUING" or "ALLOCATING" => CourierStatus.Allocating,
        "PENDING_PICKUP" or "PICKING_UP" => CourierStatus.CourierAssigned,
        "PENDING_DROP_OFF" or "IN_DELIVERY" => CourierStatus.PickedUp,
        "COMPLETED" => CourierStatus.Delivered,
        "IN_RETURN" => CourierStatus.Returning,
        "RETURNED" => CourierStatus.Returned,
        "CANCELED" or "CANCELLED" => CourierStatus.Cancelled,
        "FAILED" => CourierStatus.Failed,
        _ => null,
    };

    /// <summary>The courier as the engine names them: the driver's name and plate, never their phone.</summary>
    public static string? CourierName(string? name, string? licensePlate)
    {
        var text = (name, licensePlate) switch
        {
            ({ Length: > 0 }, { Length: > 0 }) => $"{name} ({licensePlate})",
            ({ Length: > 0 }, _) => name,
            (_, { Length: > 0 }) => licensePlate,
            _ => null,
        };
        if (text is null)
        {
            return null;
        }

        return "grab: " + (text.Length > 100 ? text[..100] : text);
    }
}
