namespace Grocery.Workflows.Host;

/// <summary>
/// <c>Grocery.Workflows.Host --probe URL</c>: the container's health check. The runtime image has no curl or shell, so
/// the executable asks its own endpoint: exit 0 when the URL answers 2xx within 3 seconds, 1 otherwise.
/// </summary>
public static class HealthProbe
{
    public static bool IsProbe(string[] args) => args is ["--probe", ..];

    public static async Task<int> Run(string[] args, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(error);
        if (args is not ["--probe", var url] || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            await error.WriteLineAsync("usage: Grocery.Workflows.Host --probe http://127.0.0.1:8080/health/live");
            return 2;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead);
            if (response.IsSuccessStatusCode)
            {
                return 0;
            }

            await error.WriteLineAsync($"{uri} answered {(int)response.StatusCode}");
            return 1;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            await error.WriteLineAsync($"{uri} did not answer: {exception.Message}");
            return 1;
        }
    }
}
