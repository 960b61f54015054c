using System.Collections.Concurrent;
using System.Net;
using Grocery.Workflows.Api.Tests.Payments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Grocery.Workflows.Api.Tests.Operations;

/// <summary>With <c>Otlp:Endpoint</c> set, spans leave the process by OTLP (here to a local collector stand-in, OTLP/HTTP).</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Spans_are_exported_to_the_configured_collector()
    {
        var received = new ConcurrentQueue<(string Path, string? ContentType, long Length)>();
        var collector = await Loopback.Start(app => app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            received.Enqueue((request.Path, request.ContentType, body.Length));
            return Results.Ok();
        }));
        try
        {
            await using var factory = new GroceryApiFactory();
            factory.Settings["Otlp:Endpoint"] = new Uri(Loopback.AddressOf(collector), "/v1/traces").ToString();
            factory.Settings["Otlp:Protocol"] = "HttpProtobuf";
            using var client = await factory.Client();
            (await client.GetAsync(new Uri("/api/stores", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);

            // The exporter sends a batch every 5 seconds.
            var until = DateTime.UtcNow.AddSeconds(20);
            while (received.IsEmpty && DateTime.UtcNow < until)
            {
                await Task.Delay(100);
            }

            received.ShouldNotBeEmpty();
            received.ShouldAllBe(r => r.Path == "/v1/traces" && r.ContentType == "application/x-protobuf" && r.Length > 0);
        }
        finally
        {
            await Loopback.Stop(collector);
        }
    }
}
