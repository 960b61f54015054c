using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace Grocery.Workflows.Bench;

/// <summary>
/// The ops console's pages as an operator loads them: signed in with the bench's ops token, each page fetched in turn
/// (the server's answer, whole; the browser's rendering is not measured), over the engine's data as the run left it.
/// </summary>
internal static partial class ConsolePages
{
    public static async Task<(Latencies Loads, int Failures)> Run(Engine engine, int rounds)
    {
        var token = engine.Client.DefaultRequestHeaders.Authorization?.Parameter ?? throw new InvalidOperationException("the bench's client has no token");
        var cookies = new CookieContainer();
        using var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { BaseAddress = engine.Client.BaseAddress };
        var signIn = await client.GetStringAsync(new Uri("/ops/sign-in", UriKind.Relative));
        var antiforgery = Antiforgery().Match(signIn).Groups["value"].Value;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["__RequestVerificationToken"] = antiforgery, ["returnUrl"] = "/ops" });
        using var signedIn = await client.PostAsync(new Uri("/ops/sign-in", UriKind.Relative), form);
        if (signedIn.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"console sign-in answered {(int)signedIn.StatusCode}");
        }

        var orders = await client.GetStringAsync(new Uri("/ops/orders", UriKind.Relative));
        var order = OrderLink().Match(orders).Value;
        string[] pages = ["/ops", "/ops/orders", order, "/ops/stuck", "/ops/failures", "/ops/jobs", "/ops/slots", "/ops/audit"];
        var loads = new List<double>();
        var failures = 0;
        for (var round = 0; round < rounds; round++)
        {
            foreach (var page in pages.Where(p => p.Length > 0))
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(new Uri(page, UriKind.Relative));
                await response.Content.ReadAsByteArrayAsync();
                loads.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                failures += response.StatusCode == HttpStatusCode.OK ? 0 : 1;
            }
        }

        return (new Latencies(loads), failures);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex Antiforgery();

    [GeneratedRegex("/ops/orders/[0-9a-f-]{36}")]
    private static partial Regex OrderLink();
}
