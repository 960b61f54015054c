using System.Globalization;
using System.Threading.RateLimiting;
using Grocery.Workflows.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Api.Limits;

/// <summary>One of the engine's limits: its setting under <c>RateLimits</c>, whom it counts and what they do.</summary>
public sealed class LimitKind(string name, string who, string does, string things, Func<RateLimitSettings, RateLimit> of)
{
    /// <summary>The setting's name under <c>RateLimits</c>; also the rate limiter policy's name.</summary>
    public string Name { get; } = name;

    public string Setting => $"{RateLimitSettings.Section}:{Name}";

    public RateLimit Of(RateLimitSettings settings) => of(settings);

    /// <summary>"This client may place 20 orders per second, up to 40 at once (RateLimits:OrdersPerClient)."</summary>
    public string Describe(RateLimitSettings settings) => $"{who} may {does} {Of(settings).Describe(things)} ({Setting}).";
}

/// <summary>
/// Rate limits with ASP.NET Core's limiter, per token subject (so after authentication: an unauthenticated caller gets
/// its 401 before any limit), and the per-customer order limit that the order route checks itself once it knows the
/// customer. A refusal is 429 problem+json naming the limit and its setting, with Retry-After in whole seconds.
/// </summary>
public static partial class RateLimits
{
    public static readonly LimitKind OrdersPerClient = new(nameof(RateLimitSettings.OrdersPerClient), "This client", "place", "orders", s => s.OrdersPerClient);

    public static readonly LimitKind OrdersPerCustomer = new(nameof(RateLimitSettings.OrdersPerCustomer), "A customer", "place", "orders", s => s.OrdersPerCustomer);

    public static readonly LimitKind ReplaysPerOperator = new(nameof(RateLimitSettings.ReplaysPerOperator), "An operator", "replay", "failed messages", s => s.ReplaysPerOperator);

    public static readonly LimitKind JobRunsPerOperator = new(nameof(RateLimitSettings.JobRunsPerOperator), "A caller", "start", "job runs", s => s.JobRunsPerOperator);

    /// <summary>The limits the rate limiter middleware applies to routes, each partitioned by the token's subject.</summary>
    private static readonly LimitKind[] PerSubject = [OrdersPerClient, ReplaysPerOperator, JobRunsPerOperator];

    public static IServiceCollection AddGroceryRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitSettings>().BindConfiguration(RateLimitSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CustomerOrderLimiter>();
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = Rejected;
            foreach (var limit in PerSubject)
            {
                options.AddPolicy(limit.Name, context => RateLimitPartition.GetTokenBucketLimiter(
                    Caller.Of(context).Subject, _ => limit.Of(Settings(context)).ToOptions()));
            }
        });
        return services;
    }

    /// <summary>Counts every request to the route against the limit, per token subject; documents the 429.</summary>
    public static RouteHandlerBuilder WithRateLimit(this RouteHandlerBuilder builder, LimitKind limit)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(limit);
        return builder.RequireRateLimiting(limit.Name).ProducesProblem(StatusCodes.Status429TooManyRequests);
    }

    /// <summary>The 429 for a caller over a limit, with its Retry-After; logged at Information (no token, no body).</summary>
    public static ProblemHttpResult Refuse(HttpContext context, LimitKind limit, TimeSpan? retryAfter, string partition)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(limit);
        var settings = Settings(context);
        // The period is the longest a token bucket's caller waits; the limiter says less when it knows.
        var seconds = (long)Math.Max(1, Math.Ceiling((retryAfter ?? limit.Of(settings).Period).TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var request = context.Request;
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RateLimits));
        LogRefused(logger, request.Method, request.Path.Value ?? "", limit.Setting, partition, seconds);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", type: "https://tools.ietf.org/html/rfc6585#section-4",
            detail: $"{limit.Describe(settings)} Try again in {seconds} s.",
            extensions: new Dictionary<string, object?> { ["limit"] = limit.Setting, ["retryAfter"] = seconds });
    }

    private static async ValueTask Rejected(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var policy = context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
        var limit = Array.Find(PerSubject, l => l.Name == policy)
            ?? throw new InvalidOperationException($"The rate limiter refused {context.Request.Path} under policy '{policy}', which is none of the engine's limits.");
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : (TimeSpan?)null;
        await Refuse(context, limit, retryAfter, Caller.Of(context).Subject).ExecuteAsync(context);
    }

    private static RateLimitSettings Settings(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<RateLimitSettings>>().Value;

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} refused with 429 by {Limit} for {Partition}; retry after {RetryAfterSeconds} s")]
    private static partial void LogRefused(ILogger logger, string method, string path, string limit, string partition, long retryAfterSeconds);
}

/// <summary>
/// The per-customer order limit, checked by the order route itself: the customer is known only once the body is read
/// (a storefront backend's token acts for every customer), and an idempotent replay answers before it is counted.
/// </summary>
public sealed class CustomerOrderLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public CustomerOrderLimiter(IOptions<RateLimitSettings> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var limit = settings.Value.OrdersPerCustomer;
        _limiter = PartitionedRateLimiter.Create<string, string>(
            customer => RateLimitPartition.GetTokenBucketLimiter(customer, _ => limit.ToOptions()), StringComparer.Ordinal);
    }

    /// <summary>Takes one of the customer's orders, or answers the 429 when they have none left.</summary>
    public ProblemHttpResult? Take(HttpContext context, string customerId)
    {
        using var lease = _limiter.AttemptAcquire(customerId);
        if (lease.IsAcquired)
        {
            return null;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : (TimeSpan?)null;
        return RateLimits.Refuse(context, RateLimits.OrdersPerCustomer, retryAfter, $"customer {customerId}");
    }

    public void Dispose() => _limiter.Dispose();
}
