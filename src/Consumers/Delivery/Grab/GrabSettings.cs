using System.ComponentModel.DataAnnotations;
using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Consumers.Delivery.Grab;

/// <summary>
/// GrabExpress (section <c>Grab</c>): the OAuth2 client the Grab Developer Portal gives, the API base, and the
/// credentials Grab sends with its status webhooks (given to GrabExpress Tech Support with the webhook's URL).
/// Required when <c>Couriers:Provider</c> is <c>grab</c>.
/// </summary>
public sealed class GrabSettings : IValidatableObject
{
    public const string Section = "Grab";

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>
    /// Grab's Delivery API: <c>https://partner-api.grab.com/grab-express-sandbox</c> (sandbox) or
    /// <c>https://partner-api.grab.com/grab-express</c> (production).
    /// </summary>
    [Url]
    public string ApiBase { get; set; } = "https://partner-api.grab.com/grab-express-sandbox";

    /// <summary>Grab's OAuth2 token endpoint, the same for sandbox and production.</summary>
    [Url]
    public string TokenUrl { get; set; } = "https://partner-api.grab.com/grabid/v1/oauth2/token";

    /// <summary>What Grab sends in the <c>Authorization</c> header of every webhook: a shared secret, compared whole.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>What Grab sends in <c>Authorization-Id</c>, if it was agreed; then required on every webhook.</summary>
    public string? WebhookId { get; set; }

    /// <summary>Bike, unless the grocer's agreement says otherwise.</summary>
    [RegularExpression("^[A-Z_]{2,20}$")]
    public string VehicleType { get; set; } = "BIKE";

    /// <summary>
    /// A window that starts within this much of the booking goes as INSTANT; a later one as SAME_DAY with the window's
    /// pick-up schedule.
    /// </summary>
    [DurationRange("00:10:00", "1.00:00:00")]
    public TimeSpan InstantWithin { get; set; } = TimeSpan.FromHours(2);

    [DurationRange("00:00:01", "00:02:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ClientId))
        {
            yield break;
        }

        foreach (var (name, value) in new[] { ("ClientSecret", ClientSecret), ("WebhookSecret", WebhookSecret) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                yield return new ValidationResult($"Grab:ClientId is set, so Grab:{name} is required.", [name]);
            }
        }
    }
}
