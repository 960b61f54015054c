using System.Net.Http.Json;
using System.Text.Json;

namespace Grocery.Workflows.Bench;

/// <summary>Runs a job through the jobs API, as a scheduler would, and waits for its end.</summary>
internal static class Jobs
{
    /// <returns>The run as <c>GET /api/jobs/{job}/runs/{id}</c> answers once it has succeeded; throws when it failed.</returns>
    public static async Task<JsonElement> Run(HttpClient client, string job)
    {
        using var started = await client.PostAsync(new Uri($"/api/jobs/{job}/runs", UriKind.Relative), null);
        started.EnsureSuccessStatusCode();
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();
        while (true)
        {
            var run = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/jobs/{job}/runs/{runId}", UriKind.Relative));
            switch (run.GetProperty("status").GetString())
            {
                case "Succeeded":
                    return run;
                case "Failed":
                    throw new InvalidOperationException($"{job} failed: {run}");
            }

            await Task.Delay(250);
        }
    }

    public static double Seconds(JsonElement run) =>
        (run.GetProperty("finishedAt").GetDateTimeOffset() - run.GetProperty("startedAt").GetDateTimeOffset()).TotalSeconds;
}
