using Grocery.Workflows.Host;

var builder = WebApplication.CreateBuilder(args);
builder.AddGroceryWorkflows();

var app = builder.Build();
app.MapGroceryWorkflows();
app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
