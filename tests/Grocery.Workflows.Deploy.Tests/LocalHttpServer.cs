using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Grocery.Workflows.Deploy.Tests;

/// <summary>A request as the handler sees it: the request line and the headers. A request body is not read.</summary>
public sealed record LocalHttpRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers);

/// <summary>An answer to send. Without a content type no Content-Type header is sent; <paramref name="Headers"/> are sent as given.</summary>
public sealed record LocalHttpResponse(
    HttpStatusCode Status, string? ContentType = null, string Body = "", IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// A small HTTP/1.1 server on an ephemeral port of 127.0.0.1, held until it is disposed, so no other test can take the
/// port. It takes one request per connection, one connection at a time, and answers each with the handler's response,
/// <c>Connection: close</c> and the body's Content-Length.
/// </summary>
public sealed class LocalHttpServer : IDisposable, IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<LocalHttpRequest, Task<LocalHttpResponse>> _handler;
    private readonly Task _serving;

    public LocalHttpServer(Func<LocalHttpRequest, LocalHttpResponse> handler)
        : this(request => Task.FromResult(handler(request)))
    {
    }

    public LocalHttpServer(Func<LocalHttpRequest, Task<LocalHttpResponse>> handler)
    {
        _handler = handler;
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>The base URL, without a trailing slash: http://127.0.0.1:port.</summary>
    public string Url { get; }

    public void Dispose()
    {
        Stop();
        _stop.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        await _serving;
        _stop.Dispose();
    }

    private void Stop()
    {
        _stop.Cancel();
        _listener.Stop();
        _listener.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            using (client)
            {
                try
                {
                    await AnswerAsync(client.GetStream());
                }
                catch (Exception e) when (e is IOException or SocketException)
                {
                    // The client went away: carry on with the next connection.
                }
            }
        }
    }

    private async Task AnswerAsync(NetworkStream stream)
    {
        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        var requestLine = await reader.ReadLineAsync() ?? "";
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var header = await reader.ReadLineAsync();
        while (!string.IsNullOrEmpty(header))
        {
            if (header.Split(':', 2) is [var name, var value])
            {
                headers[name.Trim()] = value.Trim();
            }

            header = await reader.ReadLineAsync();
        }

        var request = requestLine.Split(' ') is [var method, var target, ..]
            ? new LocalHttpRequest(method, target, headers)
            : new LocalHttpRequest("", "", headers);
        var response = await _handler(request);

        using var reason = new HttpResponseMessage(response.Status);
        var head = new StringBuilder($"HTTP/1.1 {(int)response.Status} {reason.ReasonPhrase}\r\n");
        if (response.ContentType is not null)
        {
            head.Append($"Content-Type: {response.ContentType}\r\n");
        }

        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            head.Append($"{name}: {value}\r\n");
        }

        var body = Encoding.UTF8.GetBytes(response.Body);
        head.Append($"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        await stream.WriteAsync(body);
    }
}
