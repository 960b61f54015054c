using Grocery.Workflows.Api.Security;
using Grocery.Workflows.OpsConsole.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Grocery.Workflows.OpsConsole.Pages;

/// <summary>
/// Sign in through the grocer's OpenID Connect provider (<see cref="ConsoleProviderSignIn"/>, when the console is
/// registered there), or with a token of the engine's issuer that carries the ops role. On the embedded default the
/// engine prints one (<c>dotnet run --project src/Host -- token --role ops --name "Your name"</c>). A token is checked as
/// the API checks it and is not kept: the console's cookie carries who signed in.
/// </summary>
[AllowAnonymous]
public sealed class SignInModel(ConsoleTokenCheck check, TimeProvider time, IAuthenticationSchemeProvider schemes) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Why the last attempt was refused (a text key), or why the operator was sent here.</summary>
    public string? Refusal { get; private set; }

    public bool LocalIssuer => check.LocalIssuer;

    /// <summary>Whether the console is registered at the provider, so that operators sign in on its pages.</summary>
    public bool Provider { get; private set; }

    public async Task OnGetAsync([FromQuery] string? refused)
    {
        Provider = await HasProvider();
        // Sent back here while signed in: the cookie's principal lacks the ops role (a store-limited token still has it).
        if (User.Identity?.IsAuthenticated == true && !Caller.Of(HttpContext).Is(GroceryRoles.Ops))
        {
            Refusal = "This token does not carry the ops role: the console is for operators.";
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        // Back from the provider with a refusal (ConsoleProviderSignIn says which).
        if (refused == ConsoleProviderSignIn.Refusals.Role)
        {
            Refusal = "This token does not carry the ops role: the console is for operators.";
        }
        else if (refused == ConsoleProviderSignIn.Refusals.Token)
        {
            Refusal = "The provider's token was not accepted: ask for one with this engine's audience.";
        }
        else if (refused == ConsoleProviderSignIn.Refusals.Provider)
        {
            Refusal = "The sign-in provider did not sign you in. Try again.";
        }
    }

    /// <summary>Off to the provider's sign-in page; back to <see cref="ReturnUrl"/> afterwards.</summary>
    public async Task<IActionResult> OnPostProviderAsync() =>
        await HasProvider()
            ? Challenge(ConsoleProviderSignIn.Challenge(SafeReturn(ReturnUrl)), ConsoleProviderSignIn.Scheme)
            : NotFound();

    private async Task<bool> HasProvider() => await schemes.GetSchemeAsync(ConsoleProviderSignIn.Scheme) is not null;

    public async Task<IActionResult> OnPostAsync([FromForm] string? token)
    {
        Provider = await HasProvider();
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
        var expires = ConsoleAuthentication.SessionEnd(now, checkedToken.Expires);
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
