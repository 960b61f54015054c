using Grocery.Workflows.OpsConsole.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Grocery.Workflows.OpsConsole.Pages;

/// <summary>Switches the console's language for this browser, signed in or not, and goes back where the operator was.</summary>
[AllowAnonymous]
public sealed class LanguageModel : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/ops");

    public IActionResult OnPost([FromForm] string? language, [FromForm] string? returnUrl)
    {
        ConsoleText.Remember(Response, language ?? ConsoleText.English);
        return LocalRedirect(SignInModel.SafeReturn(returnUrl));
    }
}
