using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Grocery.Workflows.OpsConsole.Text;

/// <summary>
/// The console's words in the operator's language: English, or Vietnamese when chosen (remembered in a cookie for a
/// year). A text is looked up by its English wording; <see cref="Vietnamese"/> holds the translations, and a test
/// checks that every text the pages use has one.
/// </summary>
public sealed class ConsoleText(IHttpContextAccessor accessor)
{
    public const string CookieName = "grocery-ops-lang";
    public const string English = "en";
    public const string VietnameseCode = "vi";
    public static readonly IReadOnlyList<string> Languages = [English, VietnameseCode];

    private string? _language;

    /// <summary>"en" or "vi".</summary>
    public string Language => _language ??= accessor.HttpContext?.Request.Cookies[CookieName] is VietnameseCode ? VietnameseCode : English;

    public string this[string english] => Language == VietnameseCode && Vietnamese.Words.TryGetValue(english, out var vi) ? vi : english;

    /// <summary>A text with placeholders ({0}, {1}) filled in after translation.</summary>
    public string Format(string english, params object?[] values) => string.Format(CultureInfo.InvariantCulture, this[english], values);

    /// <summary>Remembers the language for this browser.</summary>
    public static void Remember(HttpResponse response, string language)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Cookies.Append(CookieName, language == VietnameseCode ? VietnameseCode : English, new CookieOptions
        {
            Path = Api.Security.OpsConsolePath.Prefix,
            MaxAge = TimeSpan.FromDays(365),
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = response.HttpContext.Request.IsHttps,
        });
    }
}
