using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Grocery.Workflows.Api.Tests;

/// <summary>The host on its embedded default, with a SQLite file of its own per test class.</summary>
public sealed class GroceryApiFactory : WebApplicationFactory<Program>
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "grocery-tests", $"api-{Guid.NewGuid():N}.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        builder.UseSetting("Persistence:Provider", "Sqlite");
        builder.UseSetting("ConnectionStrings:Workflows", $"Data Source={_file}");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _file, _file + "-wal", _file + "-shm" })
        {
            File.Delete(file);
        }
    }
}
