using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Grocery.Workflows.Api.Security;

/// <summary>The three kinds of caller, by the names their tokens carry in a <c>role</c> claim or a scope.</summary>
public static class GroceryRoles
{
    /// <summary>The storefront: places, follows and cancels orders, answers substitutions, reads the catalogue.</summary>
    public const string Storefront = "storefront";

    /// <summary>Operators: orders, sagas, failures and replays, jobs, closures, features, the audit trail.</summary>
    public const string Ops = "ops";

    /// <summary>Schedulers: stock counts, job runs.</summary>
    public const string Scheduler = "scheduler";

    public static readonly IReadOnlyList<string> All = [Storefront, Ops, Scheduler];
}

/// <summary>The claims the engine reads from a token, beyond its roles.</summary>
public static class GroceryClaims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Role = "role";

    /// <summary>Entra ID's app roles.</summary>
    public const string Roles = "roles";
    public const string Scope = "scope";

    /// <summary>Entra ID's delegated scopes.</summary>
    public const string Scp = "scp";

    /// <summary>A storefront token acting for one customer only.</summary>
    public const string Customer = "customer";

    /// <summary>The stores a token is limited to: one claim per store, or one comma-separated claim.</summary>
    public const string Stores = "stores";
}

/// <summary>Who is calling, read once from the token's claims: subject, name, roles, and what it is limited to.</summary>
public sealed class Caller
{
    private Caller(string subject, string? name, IReadOnlySet<string> roles, string? customer, IReadOnlySet<string>? stores)
    {
        Subject = subject;
        Name = name;
        Roles = roles;
        Customer = customer;
        Stores = stores;
    }

    /// <summary>The token's subject; "anonymous" when there is none.</summary>
    public string Subject { get; }

    public string? Name { get; }

    /// <summary>The engine's roles the token carries; other roles and scopes are ignored.</summary>
    public IReadOnlySet<string> Roles { get; }

    /// <summary>The one customer a storefront token acts for; null for the storefront backend, which acts for any.</summary>
    public string? Customer { get; }

    /// <summary>The stores the caller is limited to; null when it is not limited.</summary>
    public IReadOnlySet<string>? Stores { get; }

    /// <summary>The roles as one string, for the audit trail.</summary>
    public string RoleList => string.Join(' ', GroceryRoles.All.Where(Roles.Contains));

    public bool Is(string role) => Roles.Contains(role);

    public bool MayActFor(string customerId) => Customer is null || string.Equals(Customer, customerId, StringComparison.Ordinal);

    /// <summary>
    /// Whether the caller may act at the store; at no store (null: a run of every store, a failure of no order) only
    /// when it is not limited to some stores.
    /// </summary>
    public bool MayActAt(string? storeId) => Stores is null || (storeId is not null && Stores.Contains(storeId));

    /// <summary>Cached on the request: the claims are read once however many times a handler asks.</summary>
    public static Caller Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items[typeof(Caller)] is not Caller caller)
        {
            caller = Of(context.User);
            context.Items[typeof(Caller)] = caller;
        }

        return caller;
    }

    public static Caller Of(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var roles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var claim in user.Claims)
        {
            switch (claim.Type)
            {
                case GroceryClaims.Role or GroceryClaims.Roles or ClaimTypes.Role:
                    AddKnown(roles, claim.Value);
                    break;
                case GroceryClaims.Scope or GroceryClaims.Scp:
                    foreach (var scope in claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        AddKnown(roles, scope);
                    }

                    break;
            }
        }

        HashSet<string>? stores = null;
        foreach (var claim in user.FindAll(GroceryClaims.Stores))
        {
            stores ??= new HashSet<string>(StringComparer.Ordinal);
            foreach (var store in claim.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                stores.Add(store);
            }
        }

        var customer = user.FindFirst(GroceryClaims.Customer)?.Value;
        return new Caller(
            user.FindFirst(GroceryClaims.Subject)?.Value ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? "anonymous",
            user.FindFirst(GroceryClaims.Name)?.Value,
            roles,
            string.IsNullOrWhiteSpace(customer) ? null : customer,
            stores);
    }

    private static void AddKnown(HashSet<string> roles, string value)
    {
        if (GroceryRoles.All.Contains(value))
        {
            roles.Add(value);
        }
    }
}
