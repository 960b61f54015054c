using Microsoft.AspNetCore.Http;

namespace Grocery.Workflows.Api.Security;

/// <summary>
/// Where the ops console lives. Requests under it authenticate with the console's sign-in cookie, never with a bearer
/// token; everywhere else the other way round. So the cookie a browser sends by itself never authorizes an API call,
/// and the console's forms are protected by their antiforgery tokens and a SameSite=Strict cookie instead of the
/// Authorization header the API's state-changing requests need.
/// </summary>
public static class OpsConsolePath
{
    public const string Prefix = "/ops";

    public static bool Is(PathString path) => path.StartsWithSegments(Prefix, StringComparison.OrdinalIgnoreCase);
}
