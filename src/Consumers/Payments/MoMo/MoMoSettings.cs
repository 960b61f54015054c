using System.ComponentModel.DataAnnotations;
using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Consumers.Payments.MoMo;

/// <summary>MoMo e-wallet (section <c>MoMo</c>). The provider is offered only when <see cref="PartnerCode"/> is set.</summary>
public sealed class MoMoSettings : IValidatableObject
{
    public string? PartnerCode { get; set; }

    public string? AccessKey { get; set; }

    /// <summary>The partner's secret: signs every request and verifies every IPN (HMAC-SHA256).</summary>
    public string? SecretKey { get; set; }

    /// <summary>MoMo's API base: https://test-payment.momo.vn (test) or https://payment.momo.vn (live).</summary>
    [Url]
    public string Endpoint { get; set; } = "https://test-payment.momo.vn";

    /// <summary>The public URL of this engine's <c>POST /api/webhooks/momo</c>, where MoMo sends its IPN.</summary>
    [Url]
    public string? IpnUrl { get; set; }

    /// <summary>Where MoMo sends the customer back after the approval screen (the storefront).</summary>
    [Url]
    public string? RedirectUrl { get; set; }

    /// <summary>How long MoMo keeps an authorized (9000) payment before capture; agree it with MoMo.</summary>
    [DurationRange("1.00:00:00", "31.00:00:00")]
    public TimeSpan HoldDuration { get; set; } = TimeSpan.FromDays(7);

    /// <summary>MoMo asks its partners to wait at least 30 s for an answer.</summary>
    [DurationRange("00:00:01", "00:02:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How old an IPN may be (its <c>responseTime</c>).</summary>
    [DurationRange("00:00:01", "1.00:00:00")]
    public TimeSpan IpnTolerance { get; set; } = TimeSpan.FromMinutes(15);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(PartnerCode))
        {
            yield break;
        }

        foreach (var (name, value) in new[] { ("AccessKey", AccessKey), ("SecretKey", SecretKey), ("IpnUrl", IpnUrl), ("RedirectUrl", RedirectUrl) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                yield return new ValidationResult($"MoMo:PartnerCode is set, so MoMo:{name} is required.", [name]);
            }
        }
    }
}
