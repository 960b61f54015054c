using Grocery.Workflows.Sagas;
using Grocery.Workflows.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.FeatureManagement;

namespace Grocery.Workflows.Api.Features;

/// <summary>
/// One feature flag as this instance sees it now: on for everyone, and the filters that turn it on for some (a
/// <c>Microsoft.Targeting</c> audience of stores and customers, a <c>Microsoft.Percentage</c> of evaluations).
/// </summary>
public sealed record FeatureView(string Name, bool Enabled, IReadOnlyList<string> EnabledFor, string Description);

public static class FeatureEndpoints
{
    public static IEndpointRouteBuilder MapFeatureEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/features", List).WithTags("Features").RequireAuthorization(GroceryPolicies.Ops)
            .WithSummary("The feature flags of risky behaviour and whether each is on here (section FeatureManagement).");
        return app;
    }

    private static async Task<Ok<FeatureView[]>> List(IFeatureManager features, IFeatureDefinitionProvider definitions)
    {
        var views = new List<FeatureView>();
        foreach (var (name, description) in GroceryFeatures.All)
        {
            var definition = await definitions.GetFeatureDefinitionAsync(name);
            string[] filters = [.. (definition?.EnabledFor ?? []).Select(f => f.Name).Where(f => f != "AlwaysOn" && f != "On")];
            views.Add(new FeatureView(name, await features.IsEnabledAsync(name), filters, description));
        }

        return TypedResults.Ok(views.ToArray());
    }
}
