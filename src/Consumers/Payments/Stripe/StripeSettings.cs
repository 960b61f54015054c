using System.ComponentModel.DataAnnotations;
using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Consumers.Payments.Stripe;

/// <summary>Stripe (section <c>Stripe</c>). The provider is offered only when <see cref="ApiKey"/> is set.</summary>
public sealed class StripeSettings
{
    /// <summary>A secret key (<c>sk_live_...</c>, <c>sk_test_...</c>); empty leaves Stripe off.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Another API base (a Stripe-compatible local server); empty is https://api.stripe.com.</summary>
    [Url]
    public string? ApiBase { get; set; }

    /// <summary>The webhook endpoint's signing secret (<c>whsec_...</c>); without it every webhook is refused.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>How old a signed webhook may be.</summary>
    [DurationRange("00:00:01", "01:00:00")]
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Retries of a failed request inside one attempt, with the same idempotency key (Stripe.net's own).</summary>
    [Range(0, 5)]
    public int MaxNetworkRetries { get; set; } = 2;

    /// <summary>How long one request may take.</summary>
    [DurationRange("00:00:01", "00:02:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a card hold lasts when Stripe does not say (<c>capture_before</c>): seven days for online cards.</summary>
    [DurationRange("00:00:01", "31.00:00:00")]
    public TimeSpan HoldDuration { get; set; } = TimeSpan.FromDays(7);
}
