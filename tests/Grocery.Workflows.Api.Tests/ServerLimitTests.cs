using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Grocery.Workflows.Api.Tests;

/// <summary>
/// What only a real server shows: an overlong URL, oversized headers and a body that trickles in are refused with
/// problem+json (414, 431, 408), not Kestrel's empty answer or a 500. The engine runs on Kestrel on a loopback port.
/// </summary>
public sealed class ServerLimitTests : IAsyncLifetime
{
    private GroceryApiFactory Factory { get; } = new();
    private HttpClient Client { get; set; } = null!;

    public async Task InitializeAsync()
    {
        Factory.UseKestrel(0);
        Client = await Factory.Client();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }

    [Fact]
    public async Task A_url_over_4_KiB_is_414_problem_json()
    {
        var response = await Client.GetAsync(new Uri("/api/stores?filler=" + new string('a', 5000), UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.RequestUriTooLong);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync()).ShouldContain("at most 4096 characters");
    }

    [Fact]
    public async Task Headers_over_16_KiB_are_431_problem_json()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/stores");
        request.Headers.Add("X-Filler", new string('a', 20_000));

        var response = await Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestHeaderFieldsTooLarge);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync()).ShouldContain("at most 16 KiB");
    }

    [Fact]
    public async Task A_body_that_trickles_in_is_408_problem_json()
    {
        // Kestrel's minimum rate is 240 bytes a second after a grace of 5 s: one byte a second fails it after the grace.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, Client.BaseAddress!.Port);
        await using var stream = tcp.GetStream();
        var head = $"POST /api/orders/{Guid.NewGuid()}/cancel HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + $"Authorization: {Client.DefaultRequestHeaders.Authorization}\r\nContent-Length: 1000\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        var reading = stream.ReadAsync(buffer).AsTask();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!reading.IsCompleted && DateTime.UtcNow < deadline)
        {
            try
            {
                await stream.WriteAsync("{"u8.ToArray());
            }
            catch (IOException)
            {
                break;
            }

            await Task.WhenAny(reading, Task.Delay(1000));
        }

        var read = await reading.WaitAsync(TimeSpan.FromSeconds(30));
        answer.Append(Encoding.UTF8.GetString(buffer, 0, read));
        var text = answer.ToString();

        text.ShouldStartWith("HTTP/1.1 408");
        text.ShouldContain("application/problem+json");
    }
}
