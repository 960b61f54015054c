using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Grocery.Workflows.Api.Security;

/// <summary>
/// The authorization policies, one per set of roles a route admits. Every route names one of them (or is open on
/// purpose: health probes, and webhooks, which the providers' signatures authenticate); the fallback admits nobody
/// but operators, so a route added without a policy fails closed.
/// </summary>
public static class GroceryPolicies
{
    public const string Storefront = "storefront";
    public const string Ops = "ops";
    public const string Scheduler = "scheduler";
    public const string StorefrontOrOps = "storefront-or-ops";
    public const string OpsOrScheduler = "ops-or-scheduler";

    public static AuthorizationOptions AddGroceryPolicies(this AuthorizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddPolicy(Storefront, Roles(GroceryRoles.Storefront));
        options.AddPolicy(Ops, Roles(GroceryRoles.Ops));
        options.AddPolicy(Scheduler, Roles(GroceryRoles.Scheduler));
        options.AddPolicy(StorefrontOrOps, Roles(GroceryRoles.Storefront, GroceryRoles.Ops));
        options.AddPolicy(OpsOrScheduler, Roles(GroceryRoles.Ops, GroceryRoles.Scheduler));
        // A request that matched no route is answered 404 for any caller of the engine (a storefront caller is not
        // told it needs ops); a route mapped without a policy admits operators only.
        options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser()
            .AddRequirements(new RoleRequirement([GroceryRoles.Ops]) { AnyRoleWhereNoRouteMatched = true }).Build();
        return options;
    }

    private static AuthorizationPolicy Roles(params string[] roles) =>
        new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(new RoleRequirement(roles)).Build();
}

/// <summary>Met when the caller has any of the roles; the roles are named in the 401 and 403 answers.</summary>
public sealed class RoleRequirement(IReadOnlyList<string> roles) : AuthorizationHandler<RoleRequirement>, IAuthorizationRequirement
{
    public IReadOnlyList<string> Roles { get; } = roles;

    /// <summary>Met by any of the engine's roles when the request matched no route (the fallback policy).</summary>
    public bool AnyRoleWhereNoRouteMatched { get; init; }

    /// <summary>"the ops role", "the storefront or ops role".</summary>
    public static string Describe(IEnumerable<string> roles) => $"the {string.Join(" or ", roles)} role";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        var caller = context.Resource is HttpContext http ? Caller.Of(http) : Caller.Of(context.User);
        var unmatched = requirement.AnyRoleWhereNoRouteMatched && context.Resource is HttpContext request && request.GetEndpoint() is null;
        if (requirement.Roles.Any(caller.Is) || (unmatched && caller.Roles.Count > 0))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>The answers for a caller the resource itself refuses (another store, another customer).</summary>
public static class Refusals
{
    public static ProblemHttpResult Store() =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            detail: "Your token is limited to other stores than this one.");

    public static ProblemHttpResult Customer() =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            detail: "Your token acts for one customer and may place and change that customer's orders only.");

    public static ProblemHttpResult EveryStore(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            detail: $"{what} acts on every store: it needs a token that is not limited to some stores.");
}
