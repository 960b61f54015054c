using Grocery.Workflows.Messaging;
using Grocery.Workflows.Persistence.Catalog;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Persistence.Tests;

/// <summary>How names and queries are folded: pure.</summary>
public sealed class ProductSearchTextTests
{
    [Theory]
    [InlineData("Sữa tươi", "sua tuoi")]
    [InlineData("SỮA TƯƠI ÍT ĐƯỜNG", "sua tuoi it duong")]
    [InlineData("Đà Lạt", "da lat")]
    [InlineData("  Coca-Cola 1.5 L  ", "coca cola 1 5 l")]
    [InlineData("Hellmann's (per kg)", "hellmann s per kg")]
    [InlineData("Bánh mì – Hà Nội!", "banh mi ha noi")]
    [InlineData("!!!", "")]
    [InlineData("Nestle\u0301 Ha\u0308agen", "nestle haagen")]
    public void Folding_drops_case_accents_and_punctuation(string text, string folded) =>
        ProductSearchText.Fold(text).ShouldBe(folded);

    [Fact]
    public void A_query_is_its_folded_words_each_once_and_a_few_at_most()
    {
        ProductSearchText.Terms("Sữa  sua tươi").ShouldBe(["sua", "tuoi"]);
        ProductSearchText.Terms("a b c d e f g h i j").Count.ShouldBe(ProductSearchText.MaxTerms);
        ProductSearchText.Terms("—").ShouldBeEmpty();
    }

    [Fact]
    public void Every_name_of_the_catalogue_folds_to_plain_letters_and_digits() =>
        CatalogSeed.Products().Select(ProductSearchText.Of).Where(text => !text.All(c => c is ' ' || char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)))
            .ShouldBeEmpty();

    [Fact]
    public void A_product_is_found_by_its_sku_and_both_names()
    {
        var product = new Product { Sku = "DAI-00012", Name = "Vinamilk Fresh Milk 1 L", NameVi = "Sữa tươi Vinamilk 1 L" };

        ProductSearchText.Of(product).ShouldBe("dai 00012 vinamilk fresh milk 1 l sua tuoi vinamilk 1 l");
    }
}

public sealed class SqliteProductSearchTests : ProductSearchTests
{
    public SqliteProductSearchTests()
        : base(new SqliteTestDatabase())
    {
    }
}

public sealed class PostgresProductSearchTests : ProductSearchTests
{
    public PostgresProductSearchTests()
        : base(new PostgresTestDatabase())
    {
    }
}

/// <summary>The search over the seeded catalogue of 50,000 products, on each provider's own full-text index.</summary>
public abstract class ProductSearchTests(TestDatabase database) : IAsyncLifetime
{
    private static readonly IReadOnlyList<Product> Catalogue = CatalogSeed.Products();

    private WorkflowTestHost? _host;

    private WorkflowTestHost Host => _host ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        _host = await WorkflowTestHost.Start(database, dispatcher: false, seed: true);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await database.DisposeAsync();
    }

    [Fact]
    public async Task Every_word_of_a_query_begins_a_word_of_either_name_and_the_pages_follow_each_other()
    {
        foreach (var query in new[] { "sua tuoi", "Sữa tươi", "fresh milk", "xoai", "mango", "nuoc mam", "gao st25", "tra xanh", "vinami", "coca 1 5", "sua t", "1 l", "dai 00012" })
        {
            var terms = ProductSearchText.Terms(query);
            var expected = Catalogue.Where(p => Matches(p, terms)).Select(p => p.Sku).ToHashSet(StringComparer.Ordinal);

            var first = await Find(terms, 0, 20);
            var second = await Find(terms, 20, 20);
            var both = await Find(terms, 0, 40);

            expected.ShouldNotBeEmpty(query);
            first.Total.ShouldBe(expected.Count, query);
            first.Skus.Count.ShouldBe(Math.Min(20, expected.Count), query);
            first.Skus.Concat(second.Skus).ShouldBe(both.Skus, query);
            both.Skus.ShouldAllBe(sku => expected.Contains(sku), query);
            both.Skus.Distinct(StringComparer.Ordinal).Count().ShouldBe(both.Skus.Count, query);
        }
    }

    [Fact]
    public async Task The_best_match_comes_first()
    {
        var milk = await Find(ProductSearchText.Terms("sữa tươi"), 0, 10);
        var sku = await Find(ProductSearchText.Terms("DAI-00012"), 0, 10);
        var none = await Find(ProductSearchText.Terms("durian shampoo"), 0, 10);

        milk.Skus.ShouldNotBeEmpty();
        milk.Skus.ShouldAllBe(s => ProductSearchText.Fold(Catalogue.Single(p => p.Sku == s).NameVi).Contains("sua tuoi"));
        sku.Skus[0].ShouldBe("DAI-00012");
        (none.Skus.Count, none.Total).ShouldBe((0, 0));
    }

    [Fact]
    public async Task Products_stored_before_the_search_existed_are_made_searchable_at_start()
    {
        var before = await Find(ProductSearchText.Terms("sua tuoi"), 0, 20);
        var blanked = await Host.Query(db => db.Products.Where(p => p.Category == "Dairy & Eggs")
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.SearchText, "").SetProperty(p => p.NameVi, "")));
        var terms = ProductSearchText.Terms("sua tuoi");
        var elsewhere = Catalogue.Count(p => p.Category != "Dairy & Eggs" && Matches(p, terms));
        before.Total.ShouldBeGreaterThan(elsewhere);
        (await Find(terms, 0, 20)).Total.ShouldBe(elsewhere, "the index follows the column");

        var seeder = new CatalogSeeder(
            Host.Services.GetRequiredService<IServiceScopeFactory>(), Host.Services.GetRequiredService<StartupLock>(), Host.Services.GetRequiredService<WriteGate>(),
            TimeProvider.System, Options.Create(new SeedSettings()), NullLogger<CatalogSeeder>.Instance);
        await seeder.StartAsync(CancellationToken.None);

        blanked.ShouldBe(Catalogue.Count(p => p.Category == "Dairy & Eggs"));
        var after = await Find(terms, 0, 20);
        after.Total.ShouldBe(before.Total);
        after.Skus.ShouldBe(before.Skus);
        (await Host.Query(db => db.Products.CountAsync(p => p.SearchText == "" || p.NameVi == ""))).ShouldBe(0);
    }

    private static bool Matches(Product product, IReadOnlyList<string> terms)
    {
        var words = ProductSearchText.Of(product).Split(' ');
        var prefixes = terms.Any(t => t.Length > 1);
        return terms.All(t => Array.Exists(words, w => prefixes ? w.StartsWith(t, StringComparison.Ordinal) : w == t));
    }

    private Task<ProductSearchPage> Find(IReadOnlyList<string> terms, int offset, int take) =>
        Host.Query(db => ProductSearch.Find(db, terms, offset, take, CancellationToken.None));
}
