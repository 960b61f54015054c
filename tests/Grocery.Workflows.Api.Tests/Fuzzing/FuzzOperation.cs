using System.Text.Json.Nodes;
using Grocery.Workflows.Api.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Grocery.Workflows.Api.Tests.Fuzzing;

/// <summary>A parameter as the document declares it: where it goes (path, query, header), its type and format.</summary>
public sealed record FuzzParameter(string Name, string In, string Type, string? Format, bool Required);

/// <summary>A request body the document declares for one content type, with its schema (references resolved when read).</summary>
public sealed record FuzzBody(string ContentType, JsonNode Schema);

/// <summary>
/// One operation of the OpenAPI document, with what the running host says about its route: the roles its policy
/// admits (null: open to anyone, as webhooks are) and its body cap.
/// </summary>
public sealed record FuzzOperation(
    string Method, string Path, IReadOnlyList<FuzzParameter> Parameters, IReadOnlyList<FuzzBody> Bodies, IReadOnlyList<string>? Roles, long BodyLimit)
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    public string Name => $"{Method} {Path}";

    public bool IsRead => Method == "GET";

    /// <summary>Every operation of the document, with the admitted roles read from the route's policy (or the fallback policy).</summary>
    public static async Task<IReadOnlyList<FuzzOperation>> Read(JsonNode document, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(services);
        var routes = await Routes(services);
        var operations = new List<FuzzOperation>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject().Where(p => Methods.Contains(p.Key)))
            {
                var name = $"{method.ToUpperInvariant()} {path}";
                if (!routes.TryGetValue(name, out var route))
                {
                    throw new InvalidOperationException($"The document has {name}, but the host has no such route.");
                }

                var parameters = (operation!["parameters"]?.AsArray() ?? []).Select(p => new FuzzParameter(
                    p!["name"]!.GetValue<string>(), p["in"]!.GetValue<string>(), TypeOf(p["schema"]), p["schema"]?["format"]?.GetValue<string>(),
                    p["required"]?.GetValue<bool>() ?? false)).ToList();
                var bodies = (operation["requestBody"]?["content"]?.AsObject() ?? [])
                    .Select(c => new FuzzBody(c.Key, Resolve(document, c.Value!["schema"]!))).ToList();
                operations.Add(new FuzzOperation(method.ToUpperInvariant(), path, parameters, bodies, route.Roles, route.BodyLimit));
            }
        }

        return operations;
    }

    /// <summary>The API's routes (method and path as the document writes them) that the document leaves out.</summary>
    public static async Task<IReadOnlyList<string>> Undocumented(JsonNode document, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(document);
        var documented = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Where(m => Methods.Contains(m.Key)).Select(m => $"{m.Key.ToUpperInvariant()} {p.Key}"))
            .ToHashSet(StringComparer.Ordinal);
        return [.. (await Routes(services)).Keys.Where(k => k.Contains(" /api/", StringComparison.Ordinal) && !documented.Contains(k)).Order(StringComparer.Ordinal)];
    }

    /// <summary>The schema's main type: the first that is not null (a nullable string is a string; "integer or string" an integer).</summary>
    public static string TypeOf(JsonNode? schema)
    {
        var type = schema?["type"];
        if (type is JsonArray types)
        {
            var named = types.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToList();
            return named.Find(t => t != "string") ?? named.FirstOrDefault() ?? "string";
        }

        return type?.GetValue<string>() ?? (schema?["properties"] is not null ? "object" : "string");
    }

    /// <summary>A copy of the schema with every <c>$ref</c> replaced by the component it names (the document's schemas are not recursive).</summary>
    private static JsonNode Resolve(JsonNode document, JsonNode schema)
    {
        if (schema is JsonObject obj && obj["$ref"]?.GetValue<string>() is { } reference)
        {
            var name = reference[(reference.LastIndexOf('/') + 1)..];
            return Resolve(document, document["components"]!["schemas"]![name]!);
        }

        var copy = schema.DeepClone();
        if (copy is JsonObject copied)
        {
            foreach (var key in copied.Select(p => p.Key).ToList())
            {
                if (key is "items" or "properties" && copied[key] is { } child)
                {
                    copied[key] = key == "items"
                        ? Resolve(document, child)
                        : new JsonObject(child.AsObject().Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Resolve(document, p.Value!))));
                }
            }
        }

        return copy;
    }

    private sealed record Route(IReadOnlyList<string>? Roles, long BodyLimit);

    /// <summary>The host's routes by "METHOD /path/{param}", with the roles their policies admit.</summary>
    private static async Task<Dictionary<string, Route>> Routes(IServiceProvider services)
    {
        var policies = services.GetRequiredService<IAuthorizationPolicyProvider>();
        var routes = new Dictionary<string, Route>(StringComparer.Ordinal);
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var path = Template(endpoint.RoutePattern);
            var roles = await RolesOf(endpoint, policies);
            var limit = endpoint.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? RequestLimits.DefaultBody;
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
            {
                routes[$"{method} {path}"] = new Route(roles, limit);
            }
        }

        return routes;
    }

    private static async Task<IReadOnlyList<string>?> RolesOf(Endpoint endpoint, IAuthorizationPolicyProvider policies)
    {
        if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return null;
        }

        var data = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>();
        var given = endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>();
        var policy = data.Count == 0 && given.Count == 0
            ? await policies.GetFallbackPolicyAsync()
            : await AuthorizationPolicy.CombineAsync(policies, data, given);
        // Every role requirement must be met: a caller needs a role that each of them names.
        IEnumerable<string> admitted = GroceryRoles.All;
        foreach (var requirement in policy?.Requirements.OfType<RoleRequirement>() ?? [])
        {
            admitted = admitted.Intersect(requirement.Roles, StringComparer.Ordinal);
        }

        return [.. admitted];
    }

    private static string Template(RoutePattern pattern)
    {
        var segments = pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        })));
        return "/" + string.Join('/', segments);
    }
}
