using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Grocery.Workflows.Api;

/// <summary>
/// The one rule for how much a request may carry. Each route that takes a body declares the cap that fits its content
/// (<see cref="WithBodyLimit{TBuilder}"/>); a route that declares none gets <see cref="DefaultBody"/>. The request line
/// and the headers have caps of their own. Every refusal is problem+json: 413 body too large, 408 body too slow, 414
/// URL too long, 431 headers too large. Kestrel's own limits sit above these (<see cref="ServerRequestLine"/>,
/// <see cref="ServerHeaders"/>) so that the engine, not the server's empty answer, refuses an ordinary oversized request.
/// </summary>
public static partial class RequestLimits
{
    /// <summary>Any route that declares no cap of its own.</summary>
    public const long DefaultBody = 16 * 1024;

    /// <summary>An order: at most 100 lines of a SKU and a quantity, about 10 KB.</summary>
    public const long OrderBody = 64 * 1024;

    /// <summary>A cancellation reason, substitution decisions for up to 100 lines, a job run, a closure reason.</summary>
    public const long SmallBody = 16 * 1024;

    /// <summary>A provider's notification; Stripe's largest events are tens of KB.</summary>
    public const long WebhookBody = 256 * 1024;

    /// <summary>A stock-count file: a million counts as CSV are about 45 MB.</summary>
    public const long StockCountBody = 256L * 1024 * 1024;

    /// <summary>Path and query; the longest real one (a product search with a cursor) is a few hundred characters.</summary>
    public const int Url = 4 * 1024;

    /// <summary>All request headers together (names and values).</summary>
    public const int Headers = 16 * 1024;

    /// <summary>Kestrel's request-line cap: above <see cref="Url"/>, so the engine answers in between with a problem.</summary>
    public const int ServerRequestLine = 16 * 1024;

    /// <summary>Kestrel's header cap: above <see cref="Headers"/>, for the same reason.</summary>
    public const int ServerHeaders = 64 * 1024;

    /// <summary>Declares the route's body cap: Kestrel stops reading past it and the route answers 413.</summary>
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new RequestSizeLimitAttribute(bytes));
    }

    /// <summary>The cap the matched route declares, else <see cref="DefaultBody"/>.</summary>
    public static long BodyLimitOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? DefaultBody;
    }

    public static ProblemHttpResult TooLarge(long limit) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large",
            detail: $"This route takes a body of at most {Describe(limit)}.");

    /// <summary>The problem for what Kestrel reports while a body is read: too large, too slow, or cut off.</summary>
    public static ProblemHttpResult FromBadRequest(BadHttpRequestException bad, long limit)
    {
        ArgumentNullException.ThrowIfNull(bad);
        return bad.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => TooLarge(limit),
            StatusCodes.Status408RequestTimeout => TypedResults.Problem(statusCode: StatusCodes.Status408RequestTimeout, title: "Body too slow",
                detail: "The body arrived too slowly (under 240 bytes a second after 5 seconds); send it again."),
            _ when Binding().Match(bad.Message) is { Success: true } binding => TypedResults.Problem(statusCode: bad.StatusCode,
                title: "The request is not valid", detail: $"{binding.Groups["name"].Value}: \"{binding.Groups["value"].Value}\" is not a value it takes (give it once)."),
            _ when bad.Message.StartsWith("Required parameter", StringComparison.Ordinal) => TypedResults.Problem(statusCode: bad.StatusCode,
                title: "The request is not valid", detail: bad.Message),
            _ => TypedResults.Problem(statusCode: bad.StatusCode, title: "The body did not arrive whole", detail: bad.Message),
        };
    }

    /// <summary>ASP.NET's message for a query or route value that does not bind, with the parameter's .NET type in it.</summary>
    [System.Text.RegularExpressions.GeneratedRegex("""^Failed to bind parameter "(?:.*\s)?(?<name>\w+)" from "(?<value>.*)"\.?$""", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex Binding();

    /// <summary>
    /// Refuses a request whose URL or headers are over the engine's caps, before any route runs; the body cap is the
    /// route's (see <see cref="JsonBody"/>) and the exception handler's (a body that a route binds itself).
    /// </summary>
    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use(async (context, next) =>
        {
            var request = context.Request;
            var url = (request.Path.Value?.Length ?? 0) + (request.QueryString.Value?.Length ?? 0);
            if (url > Url)
            {
                await TypedResults.Problem(statusCode: StatusCodes.Status414UriTooLong, title: "URL too long",
                    detail: $"The path and query may have at most {Url} characters; this one has {url}.").ExecuteAsync(context);
                return;
            }

            var headers = 0L;
            foreach (var (name, values) in request.Headers)
            {
                foreach (var value in values)
                {
                    headers += name.Length + (value?.Length ?? 0) + 4;
                }
            }

            if (headers > Headers)
            {
                await TypedResults.Problem(statusCode: StatusCodes.Status431RequestHeaderFieldsTooLarge, title: "Headers too large",
                    detail: $"The request headers may have at most {Describe(Headers)} together; these have {headers} bytes.").ExecuteAsync(context);
                return;
            }

            await next(context);
        });
    }

    private static string Describe(long bytes) => bytes switch
    {
        >= 1024 * 1024 when bytes % (1024 * 1024) == 0 => $"{bytes / 1024 / 1024} MiB",
        >= 1024 when bytes % 1024 == 0 => $"{bytes / 1024} KiB",
        _ => $"{bytes} bytes",
    };
}
