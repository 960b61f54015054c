using Grocery.Workflows.Api;
using Microsoft.AspNetCore.Diagnostics;

namespace Grocery.Workflows.Host;

/// <summary>
/// What Kestrel or a route's binding throws for a client's mistake (a body too large or too slow, a body that does not
/// bind) is answered with its own 4xx status as problem+json, logged at Information and measured as that 4xx; only the
/// engine's own failures are 500s logged as errors.
/// </summary>
internal static partial class ClientMistakes
{
    public static ExceptionHandlerOptions ExceptionHandlerOptions { get; } = new()
    {
        StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
    };

    public static void Describe(ProblemDetailsContext context)
    {
        if (context.Exception is not BadHttpRequestException bad)
        {
            return;
        }

        var problem = RequestLimits.FromBadRequest(bad, RequestLimits.BodyLimitOf(context.HttpContext)).ProblemDetails;
        context.ProblemDetails.Title = problem.Title;
        context.ProblemDetails.Detail = problem.Detail;
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ClientMistakes));
        var request = context.HttpContext.Request;
        LogClientMistake(logger, request.Method, request.Path.Value ?? "", bad.StatusCode, bad.Message);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} refused with {StatusCode}: {Reason}")]
    private static partial void LogClientMistake(ILogger logger, string method, string path, int statusCode, string reason);
}
