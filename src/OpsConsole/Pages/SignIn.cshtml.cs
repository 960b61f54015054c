using Grocery.Workflows.Api.Security;
using Grocery.Workflows.OpsConsole.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Hosting;

namespace Grocery.Workflows.OpsConsole.Pages;

/// <summary>
/// Sign in with a token of the engine's issuer that carries the ops role. On the embedded default the engine prints one
/// (<c>dotnet run --project src/Host -- token --role ops --name "Your name"</c>); elsewhere it comes from the OpenID
/// Connect provider. The token is checked as the API checks it and is not kept: the console's cookie carries who signed in.
/// </summary>
[AllowAnonymous]
public sealed class SignInModel(ConsoleTokenCheck check, TimeProvider time, IHostEnvironment environment) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Why the last attempt was refused (a text key), or why the operator was sent here.</summary>
    public string? Refusal { get; private set; }

    public bool LocalIssuer => environment.IsDevelopment();

    public void OnGet()
    {
        // Sent back here while signed in: the cookie's principal lacks the ops role (a store-limited token still has it).
        if (User.Identity?.IsAuthenticated == true && !Caller.Of(HttpContext).Is(GroceryRoles.Ops))
        {
            Refusal = "This token does not carry the ops role: the console is for operators.";
            Response.StatusCode = StatusCodes.Status403Forbidden;
        }
    }

    public async Task<IActionResult> OnPostAsync([FromForm] string? token)
    {
        var checkedToken = await check.Check(token, HttpContext.RequestAborted);
        if (checkedToken.Principal is null)
        {
            Refusal = "The token was not accepted: it is not one of this engine's issuer, or it has expired.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        if (!Caller.Of(checkedToken.Principal).Is(GroceryRoles.Ops))
        {
            Refusal = "This token does not carry the ops role: the console is for operators.";
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }

        var now = time.GetUtcNow();
        var expires = checkedToken.Expires is { } end && end < now + ConsoleAuthentication.MaxSession ? end : now + ConsoleAuthentication.MaxSession;
        await HttpContext.SignInAsync(ConsoleAuthentication.Scheme, ConsoleAuthentication.Principal(checkedToken.Principal),
            new AuthenticationProperties { ExpiresUtc = expires, IsPersistent = false, AllowRefresh = false });
        return LocalRedirect(SafeReturn(ReturnUrl));
    }

    /// <summary>Back to the console page the operator came from; never to another site or outside the console.</summary>
    public static string SafeReturn(string? returnUrl) =>
        returnUrl is { Length: > 0 and < 2048 } url && url.StartsWith(OpsConsolePath.Prefix, StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal)
            && !url.Contains('\\', StringComparison.Ordinal) && (url.Length == OpsConsolePath.Prefix.Length || url[OpsConsolePath.Prefix.Length] is '/' or '?')
            ? url
            : OpsConsolePath.Prefix;
}
