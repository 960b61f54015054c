using System.ComponentModel.DataAnnotations;
using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Sagas.Picking;

/// <summary>Durations of the picking saga (section <c>Sagas:Picking</c>).</summary>
public sealed class PickingSettings
{
    /// <summary>A picker who neither starts nor reports the pick list (or a part of it) for this long is replaced.</summary>
    [DurationRange("00:00:00.001", "1.00:00:00")]
    public TimeSpan PickerTimeout { get; set; } = TimeSpan.FromMinutes(15);
}
