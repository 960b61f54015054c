using System.Net.Http.Headers;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Contracts;
using Grocery.Workflows.Host.Security;
using Grocery.Workflows.Persistence;
using Grocery.Workflows.Persistence.Catalog;
using Grocery.Workflows.Persistence.Slots;
using Grocery.Workflows.Persistence.Stock;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grocery.Workflows.Api.Tests;

/// <summary>
/// The host on its embedded default (SQLite, in-memory bus, simulator), with a SQLite file of its own and a small
/// catalogue instead of the 50,000-SKU seed. The simulator always finds lines short and the customer always agrees,
/// so every order runs through all five sagas; its steps are 20 ms.
/// </summary>
public sealed class GroceryApiFactory : WebApplicationFactory<Program>
{
    public const string Store = "tst-01";
    public const string OtherStore = "tst-02";
    public static readonly Guid OpenSlot = Guid.Parse("00000000-0000-0000-0000-0000000000a1");
    public static readonly Guid FullSlot = Guid.Parse("00000000-0000-0000-0000-0000000000a2");
    public static readonly Guid ClosedSlot = Guid.Parse("00000000-0000-0000-0000-0000000000a3");
    public static readonly Guid OtherStoreSlot = Guid.Parse("00000000-0000-0000-0000-0000000000a4");
    public static readonly DateTimeOffset OpenWindow = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(2).AddHours(3);

    private readonly string _file = Path.Combine(Path.GetTempPath(), "grocery-tests", $"api-{Guid.NewGuid():N}.db");
    private bool _seeded;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        builder.UseSetting("Persistence:Provider", "Sqlite");
        builder.UseSetting("ConnectionStrings:Workflows", $"Data Source={_file}");
        builder.UseSetting("Auth:LocalKeyFile", Path.ChangeExtension(_file, ".key.pem"));
        builder.UseSetting("Seed:Enabled", "false");
        builder.UseSetting("Simulation:Enabled", "true");
        builder.UseSetting("Simulation:ShortageRate", "1");
        builder.UseSetting("Simulation:ApprovalRate", "1");
        builder.UseSetting("Simulation:CourierNoShowRate", "0");
        builder.UseSetting("Simulation:StepDelay", "00:00:00.020");
        builder.UseSetting("Outbox:PollInterval", "00:00:00.050");
        builder.UseSetting("Jobs:DeferredRetryAfter", "00:00:01");
        // Every scrape reads the database: the tests look at the gauges right after what moved them.
        builder.UseSetting("Metrics:ClusterGaugesInterval", "00:00:00");
        builder.UseSetting("Management:Urls", "http://127.0.0.1:0");
        // Tests place many orders for one customer through one client; RateLimitTests sets small limits of its own.
        foreach (var limit in new[] { "OrdersPerClient", "OrdersPerCustomer", "ReplaysPerOperator", "JobRunsPerOperator" })
        {
            builder.UseSetting($"RateLimits:{limit}:Permits", "100000");
            builder.UseSetting($"RateLimits:{limit}:Burst", "100000");
        }

        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        if (SeedAtStart)
        {
            // Right after the migrations and before the scheduler stores its triggers (one per store time zone).
            builder.ConfigureTestServices(services =>
            {
                var migrator = services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(DatabaseMigrator));
                services.Insert(services.IndexOf(migrator) + 1, ServiceDescriptor.Singleton<IHostedService>(provider => new SeedOnStart(this, provider)));
            });
        }
    }

    /// <summary>Seeds the small catalogue as the host starts, so that what reads the stores at start (the jobs' triggers) sees them.</summary>
    public bool SeedAtStart { get; init; }

    private sealed class SeedOnStart(GroceryApiFactory factory, IServiceProvider services) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await Seed(services);
            factory._seeded = true;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Settings over the defaults above; set before the first client.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    /// <summary>
    /// A client of a host whose small catalogue is in place, with a token of all three roles and no limits: for tests of
    /// what the engine does rather than of who may ask it.
    /// </summary>
    public Task<HttpClient> Client() => Client(new TokenRequest(GroceryRoles.All, Name: "Test caller"));

    /// <summary>A client with the token the request describes.</summary>
    public Task<HttpClient> Client(TokenRequest token) => ClientWith(Token(token));

    /// <summary>A client of a role, optionally acting for one customer or limited to some stores.</summary>
    public Task<HttpClient> Client(string role, string? customer = null, params string[] stores) =>
        Client(new TokenRequest([role], Name: $"Test {role}", Customer: customer, Stores: stores.Length == 0 ? null : stores));

    /// <summary>A client that sends the given Authorization bearer token, or none when it is null.</summary>
    public async Task<HttpClient> ClientWith(string? bearer)
    {
        var client = CreateClient();
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (!_seeded)
        {
            await Seed();
            _seeded = true;
        }

        return client;
    }

    /// <summary>A token signed with this host's own key (the embedded default's issuer).</summary>
    public string Token(TokenRequest request) => Services.GetRequiredService<LocalTokenIssuer>().Create(request, DateTimeOffset.UtcNow);

    public async Task<T> Query<T>(Func<WorkflowDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<WorkflowDbContext>());
    }

    private Task Seed() => Seed(Services);

    private static async Task Seed(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
        var ledger = scope.ServiceProvider.GetRequiredService<EfStockLedger>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.Stores.AddRange(
            new Store { StoreId = Store, Name = "Test store", City = "Ho Chi Minh City", TimeZone = "Asia/Ho_Chi_Minh", Currency = "VND", PriceFactor = 254m, PriceRounding = 100,
                Address = "15 Le Loi, District 1, Ho Chi Minh City", Latitude = 10.773521, Longitude = 106.701234, Phone = "+842838221500" },
            new Store { StoreId = OtherStore, Name = "Other store", City = "Singapore", TimeZone = "Asia/Singapore", Currency = "SGD", PriceFactor = 1.35m, PriceRounding = 1 });
        Product[] products =
        [
            new() { Sku = "DAI-00001", Name = "Fresh Milk 1 L", NameVi = "Sữa tươi 1 L", Category = "Dairy & Eggs", Unit = SaleUnit.Each, BasePriceUsCents = 180 },
            new() { Sku = "DAI-00002", Name = "Fresh Milk Less Sugar 1 L", NameVi = "Sữa tươi ít đường 1 L", Category = "Dairy & Eggs", Unit = SaleUnit.Each, BasePriceUsCents = 190 },
            new() { Sku = "PRO-00001", Name = "Bananas (per kg)", NameVi = "Chuối (theo kg)", Category = "Produce", Unit = SaleUnit.Kilogram, BasePriceUsCents = 120 },
            new() { Sku = "PRO-00002", Name = "Plantains (per kg)", NameVi = "Chuối sứ (theo kg)", Category = "Produce", Unit = SaleUnit.Kilogram, BasePriceUsCents = 110 },
        ];
        foreach (var product in products)
        {
            product.SearchText = ProductSearchText.Of(product);
        }

        db.Products.AddRange(products);
        var window = OpenWindow;
        db.DeliverySlots.AddRange(
            new DeliverySlot { SlotId = OpenSlot, StoreId = Store, WindowStart = window, WindowEnd = window.AddHours(1), CutOffAt = window.AddHours(-2), Capacity = 500 },
            new DeliverySlot { SlotId = FullSlot, StoreId = Store, WindowStart = window.AddHours(1), WindowEnd = window.AddHours(2), CutOffAt = window.AddHours(-1), Capacity = 0 },
            new DeliverySlot { SlotId = ClosedSlot, StoreId = Store, WindowStart = DateTimeOffset.UtcNow.AddMinutes(30), WindowEnd = DateTimeOffset.UtcNow.AddMinutes(90), CutOffAt = DateTimeOffset.UtcNow.AddMinutes(-90), Capacity = 10 },
            new DeliverySlot { SlotId = OtherStoreSlot, StoreId = OtherStore, WindowStart = window, WindowEnd = window.AddHours(1), CutOffAt = window.AddHours(-2), Capacity = 10 });
        await db.SaveChangesAsync();
        foreach (var sku in new[] { "DAI-00001", "DAI-00002", "PRO-00001", "PRO-00002" })
        {
            await ledger.Receive(Store, sku, 500, CancellationToken.None);
        }

        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var quartz = Path.ChangeExtension(_file, ".quartz.db");
        foreach (var file in new[] { _file, _file + "-wal", _file + "-shm", quartz, quartz + "-wal", quartz + "-shm", Path.ChangeExtension(_file, ".key.pem") })
        {
            File.Delete(file);
        }
    }
}
