using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Grocery.Workflows.Api.Security;

/// <summary>
/// 401 and 403 as problem details that name the role the route needs and say nothing about the resource: whether
/// it exists, whose it is. The authentication handler still writes its WWW-Authenticate challenge. Under the ops console
/// (<see cref="OpsConsolePath"/>) the console's cookie scheme answers instead: to its sign-in page, or its refusal page.
/// </summary>
public sealed class AuthorizationProblems(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (authorizeResult.Succeeded)
        {
            await next(context);
            return;
        }

        if (OpsConsolePath.Is(context.Request.Path))
        {
            await (authorizeResult.Challenged ? context.ChallengeAsync() : context.ForbidAsync());
            return;
        }

        var needed = RoleRequirement.Describe(policy.Requirements.OfType<RoleRequirement>().SelectMany(r => r.Roles).Distinct());
        ProblemDetails problem;
        if (authorizeResult.Challenged)
        {
            await context.ChallengeAsync();
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Authentication required",
                Detail = $"Send a valid bearer token (Authorization: Bearer ...) with {needed}.",
            };
        }
        else
        {
            await context.ForbidAsync();
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "Forbidden",
                Detail = $"This needs {needed}; your token does not have it.",
            };
        }

        if (!context.Response.HasStarted)
        {
            context.Response.StatusCode = problem.Status.Value;
            await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
        }
    }
}
