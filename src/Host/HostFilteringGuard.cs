namespace Grocery.Workflows.Host;

public static partial class HostingExtensions
{
    /// <summary>
    /// <c>AllowedHosts</c> names the hosts the engine answers for (ASP.NET Core's host filtering answers any other Host
    /// header with 400). <c>*</c>, or nothing (which ASP.NET Core reads as <c>*</c>), turns the filter off: fine in
    /// Development, refused anywhere else, so that a Host header the engine does not own never reaches it.
    /// </summary>
    private static void RefuseAnyHostOutsideDevelopment(WebApplicationBuilder builder)
    {
        if (builder.Environment.IsDevelopment())
        {
            return;
        }

        var configured = builder.Configuration["AllowedHosts"];
        var hosts = (configured ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (hosts.Length == 0 || hosts.Contains("*", StringComparer.Ordinal))
        {
            throw new InvalidOperationException(
                $"AllowedHosts is '{configured}' in the {builder.Environment.EnvironmentName} environment: the engine would answer requests for any Host header. " +
                "Set AllowedHosts to the host names its clients use, separated by ';' (e.g. grocery.example.com;localhost).");
        }
    }
}
