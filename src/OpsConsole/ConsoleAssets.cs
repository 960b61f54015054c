using System.Collections.Frozen;
using System.Security.Cryptography;
using Grocery.Workflows.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Grocery.Workflows.OpsConsole;

/// <summary>
/// The console's stylesheet and script, read once from the assembly and served at <c>/ops/assets/{name}</c> with a
/// content hash in the URL, so a browser keeps them for a year and a new release is fetched at once. Nothing comes from
/// a CDN: the console works on a network with no way out.
/// </summary>
public static class ConsoleAssets
{
    private static readonly FrozenDictionary<string, (byte[] Content, string Type, string Hash)> Assets = Load();

    /// <summary>The asset's URL, with its content hash.</summary>
    public static string Url(string name) => $"{OpsConsolePath.Prefix}/assets/{name}?v={Assets[name].Hash}";

    public static IEndpointConventionBuilder MapConsoleAssets(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.MapGet($"{OpsConsolePath.Prefix}/assets/{{name}}", (string name, HttpContext context) =>
        {
            if (!Assets.TryGetValue(name, out var asset))
            {
                return Results.NotFound();
            }

            context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            context.Response.Headers["X-Content-Type-Options"] = "nosniff";
            return Results.Bytes(asset.Content, asset.Type);
        }).AllowAnonymous().ExcludeFromDescription();
    }

    private static FrozenDictionary<string, (byte[], string, string)> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var assets = new Dictionary<string, (byte[], string, string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("ops-assets/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var name = resource["ops-assets/".Length..];
            var type = Path.GetExtension(name) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            assets[name] = (bytes, type, Convert.ToHexString(SHA256.HashData(bytes))[..12].ToLowerInvariant());
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
