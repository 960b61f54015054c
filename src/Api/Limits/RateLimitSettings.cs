using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Api.Limits;

/// <summary>
/// How often a caller may do one thing: <see cref="Permits"/> each <see cref="Period"/>, and up to <see cref="Burst"/>
/// at once after a quiet spell. A token bucket of <see cref="Burst"/> tokens that gets <see cref="Permits"/> back at the
/// end of each period; a request takes one token or is refused (nothing waits in a queue).
/// </summary>
public sealed class RateLimit
{
    [Range(1, 1_000_000)]
    public int Permits { get; set; } = 1;

    [DurationRange("00:00:01", "1.00:00:00")]
    public TimeSpan Period { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The bucket's size; when unset, <see cref="Permits"/>.</summary>
    [Range(1, 1_000_000)]
    public int? Burst { get; set; }

    public int BucketSize => Burst ?? Permits;

    public TokenBucketRateLimiterOptions ToOptions() => new()
    {
        TokenLimit = BucketSize,
        TokensPerPeriod = Permits,
        ReplenishmentPeriod = Period,
        QueueLimit = 0,
        // Partitioned limiters are replenished by their owner's timer.
        AutoReplenishment = false,
    };

    /// <summary>"20 orders per second, up to 40 at once", "5 orders per minute".</summary>
    public string Describe(string things) =>
        BucketSize > Permits ? $"{Permits} {things} per {Describe(Period)}, up to {BucketSize} at once" : $"{Permits} {things} per {Describe(Period)}";

    private static string Describe(TimeSpan period) => period switch
    {
        { TotalSeconds: 1 } => "second",
        { TotalMinutes: 1 } => "minute",
        { TotalHours: 1 } => "hour",
        { TotalDays: 1 } => "day",
        _ when period.Ticks % TimeSpan.TicksPerHour == 0 => $"{period.TotalHours.ToString(CultureInfo.InvariantCulture)} hours",
        _ when period.Ticks % TimeSpan.TicksPerMinute == 0 => $"{period.TotalMinutes.ToString(CultureInfo.InvariantCulture)} minutes",
        _ => $"{period.TotalSeconds.ToString(CultureInfo.InvariantCulture)} seconds",
    };
}

/// <summary>
/// The engine's rate limits (section <c>RateLimits</c>). Each is kept in the memory of one instance: behind a load
/// balancer over N instances a caller gets up to N times each limit.
/// </summary>
public sealed class RateLimitSettings : IValidatableObject
{
    public const string Section = "RateLimits";

    /// <summary>POST /api/orders per token subject, whatever the answer.</summary>
    public RateLimit OrdersPerClient { get; set; } = new() { Permits = 20, Period = TimeSpan.FromSeconds(1), Burst = 40 };

    /// <summary>Orders a customer may place: counted once an order would be accepted; an idempotent replay is not counted.</summary>
    public RateLimit OrdersPerCustomer { get; set; } = new() { Permits = 5, Period = TimeSpan.FromMinutes(1) };

    /// <summary>POST /api/failures/{id}/replay per token subject, whatever the answer.</summary>
    public RateLimit ReplaysPerOperator { get; set; } = new() { Permits = 30, Period = TimeSpan.FromMinutes(1) };

    /// <summary>POST /api/jobs/{name}/runs per token subject, whatever the answer.</summary>
    public RateLimit JobRunsPerOperator { get; set; } = new() { Permits = 10, Period = TimeSpan.FromMinutes(1) };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, limit) in new[]
                 {
                     (nameof(OrdersPerClient), OrdersPerClient), (nameof(OrdersPerCustomer), OrdersPerCustomer),
                     (nameof(ReplaysPerOperator), ReplaysPerOperator), (nameof(JobRunsPerOperator), JobRunsPerOperator),
                 })
        {
            if (limit is null)
            {
                yield return new ValidationResult($"{Section}:{name} is missing.", [name]);
                continue;
            }

            var results = new List<ValidationResult>();
            Validator.TryValidateObject(limit, new ValidationContext(limit), results, validateAllProperties: true);
            foreach (var result in results)
            {
                yield return new ValidationResult($"{Section}:{name}: {result.ErrorMessage}", [.. result.MemberNames.Select(m => $"{name}.{m}")]);
            }

            // A bucket smaller than a period's permits caps the rate at the bucket: raising Permits alone would do nothing.
            if (limit.Burst < limit.Permits)
            {
                yield return new ValidationResult(
                    $"{Section}:{name}:Burst ({limit.Burst}) is below its Permits ({limit.Permits}): the bucket would cap the rate. Raise Burst, or leave it unset to mean Permits.",
                    [$"{name}.Burst"]);
            }
        }
    }
}
