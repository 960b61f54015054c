using System.ComponentModel.DataAnnotations;
using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Consumers.Notifications;

/// <summary>
/// The grocer's notification service (section <c>Notifications</c>). With <see cref="Endpoint"/> set, every
/// notification is posted there as a CloudEvent signed with <see cref="Secret"/>; without it (the embedded default)
/// it is written to the log and kept with the order.
/// </summary>
public sealed class NotificationSettings : IValidatableObject
{
    public const string Section = "Notifications";

    /// <summary>Where the CloudEvents are posted (the notification service's HTTPS URL).</summary>
    [Url]
    public string? Endpoint { get; set; }

    /// <summary>The HMAC-SHA256 key shared with the notification service; required with <see cref="Endpoint"/>, at least 32 characters.</summary>
    public string? Secret { get; set; }

    /// <summary>The storefront's base URL: links in a notification (where to decide on substitutions, the order page) start with it.</summary>
    [Url]
    public string? StorefrontUrl { get; set; }

    [DurationRange("00:00:01", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(Endpoint) && (Secret is null || Secret.Length < 32))
        {
            yield return new ValidationResult("Notifications:Endpoint is set, so Notifications:Secret is required: at least 32 characters.", [nameof(Secret)]);
        }
    }
}
