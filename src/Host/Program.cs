using Grocery.Workflows.Host;
using Grocery.Workflows.Host.Security;

if (HealthProbe.IsProbe(args))
{
    return await HealthProbe.Run(args, Console.Error);
}

if (TokenCommand.Is(args))
{
    return TokenCommand.Run(args, Console.Out, Console.Error);
}

// appsettings.json is read from beside the executable, wherever it is started from; relative data paths
// (the SQLite file under data/) stay relative to the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddGroceryWorkflows();

var app = builder.Build();
app.MapGroceryWorkflows();
await app.RunAsync();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
