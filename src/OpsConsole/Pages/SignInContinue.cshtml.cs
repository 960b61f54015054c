using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Grocery.Workflows.OpsConsole.Pages;

/// <summary>
/// Where the provider's sign-in lands the browser, the console's cookie just set. The console's cookies are
/// SameSite=Strict, so the browser does not send them on a navigation that came through another site's redirects; this
/// page (which needs no cookie) sends it on to the operator's page with a navigation of its own, on which it does.
/// </summary>
[AllowAnonymous]
public sealed class SignInContinueModel : PageModel
{
    public string Target { get; private set; } = Api.Security.OpsConsolePath.Prefix;

    public void OnGet([FromQuery] string? returnUrl) => Target = SignInModel.SafeReturn(returnUrl);
}
