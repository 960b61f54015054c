using Grocery.Workflows.Sagas;
using Grocery.Workflows.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.FeatureManagement;

namespace Grocery.Workflows.Api.Features;

/// <summary>One feature flag as this instance sees it now.</summary>
public sealed record FeatureView(string Name, bool Enabled, string Description);

public static class FeatureEndpoints
{
    public static IEndpointRouteBuilder MapFeatureEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/features", List).WithTags("Features").RequireAuthorization(GroceryPolicies.Ops)
            .WithSummary("The feature flags of risky behaviour and whether each is on here (section FeatureManagement).");
        return app;
    }

    private static async Task<Ok<FeatureView[]>> List(IFeatureManager features)
    {
        var views = new List<FeatureView>();
        foreach (var (name, description) in GroceryFeatures.All)
        {
            views.Add(new FeatureView(name, await features.IsEnabledAsync(name), description));
        }

        return TypedResults.Ok(views.ToArray());
    }
}
