using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace Grocery.Workflows.Api.Security;

/// <summary>
/// A request that changes something (POST, PUT, PATCH, DELETE) carries an Authorization header and either no body or a
/// body of a type the route declares (<c>Accepts</c>), JSON when it declares none. A page elsewhere can make a browser
/// send a form (urlencoded, multipart) or text/plain without asking, but neither an Authorization header nor any other
/// type without a CORS preflight, and the engine answers no preflight: so no such page changes anything here, even
/// through a route that would ignore the body. Webhooks are outside the rule: the providers' signatures authenticate them;
/// so is the ops console (<see cref="OpsConsolePath"/>), whose forms carry antiforgery tokens and whose cookie is SameSite=Strict.
/// </summary>
public static class StateChangingRequests
{
    public const string WebhookPrefix = "/api/webhooks";

    private static readonly string[] Json = ["application/json"];

    /// <summary>After authorization: a caller without a token has its 401 (or 403) first.</summary>
    public static IApplicationBuilder UseStateChangingRequestRules(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use(async (context, next) =>
        {
            var request = context.Request;
            var endpoint = context.GetEndpoint();
            if (endpoint is null || !ChangesState(request.Method) || request.Path.StartsWithSegments(WebhookPrefix, StringComparison.OrdinalIgnoreCase)
                || OpsConsolePath.Is(request.Path))
            {
                await next(context);
                return;
            }

            if (string.IsNullOrEmpty(request.Headers.Authorization))
            {
                await context.ChallengeAsync();
                await TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Authentication required",
                    detail: "A request that changes something carries its bearer token in the Authorization header.").ExecuteAsync(context);
                return;
            }

            var accepted = endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes is { Count: > 0 } declared ? declared : Json;
            if (request.ContentType is null ? HasBody(request) : !IsOneOf(request, accepted))
            {
                await TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported body",
                    detail: $"This route takes no body or a body of type {string.Join(" or ", accepted)}, with its Content-Type; forms and plain text are refused.")
                    .ExecuteAsync(context);
                return;
            }

            await next(context);
        });
    }

    private static bool ChangesState(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    private static bool IsOneOf(HttpRequest request, IReadOnlyList<string> accepted)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var sent))
        {
            return false;
        }

        foreach (var type in accepted)
        {
            // application/json admits its structured-syntax relatives (application/problem+json), as JsonBody does.
            if (type == "application/json" ? request.HasJsonContentType() : sent.MediaType.Equals(type, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
