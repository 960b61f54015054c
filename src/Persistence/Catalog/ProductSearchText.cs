using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Grocery.Workflows.Persistence.Catalog;

/// <summary>
/// How names and queries are folded for search, the same way on both sides, so that "sua tuoi", "Sữa Tươi" and
/// "SỮA TƯƠI" are one query: lower case, diacritics removed (đ read as d), and every run of anything but letters and
/// digits one space.
/// </summary>
public static class ProductSearchText
{
    /// <summary>What a query may hold at most, in characters.</summary>
    public const int MaxQueryLength = 100;

    /// <summary>Terms beyond this many are ignored: a shopper's query is a few words.</summary>
    public const int MaxTerms = 8;

    /// <summary>The text a product is found by: its SKU and both its names, folded.</summary>
    public static string Of(Product product)
    {
        ArgumentNullException.ThrowIfNull(product);
        return Fold($"{product.Sku} {product.Name} {product.NameVi}");
    }

    /// <summary>The folded words of a query, in order, each once, at most <see cref="MaxTerms"/>.</summary>
    public static IReadOnlyList<string> Terms(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return [.. Fold(query).Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).Take(MaxTerms)];
    }

    /// <summary>Lower-case letters without diacritics and digits, words separated by single spaces.</summary>
    public static string Fold(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var folded = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            // A mark written apart from its letter (decomposed input) goes; the letter stays.
            if (CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
            {
                continue;
            }

            var lower = char.ToLowerInvariant(c);
            var letter = Plain.GetValueOrDefault(lower, lower);
            if (char.IsLetterOrDigit(letter))
            {
                if (space && folded.Length > 0)
                {
                    folded.Append(' ');
                }

                folded.Append(letter);
                space = false;
            }
            else
            {
                space = true;
            }
        }

        return folded.ToString();
    }

    // The engine runs with invariant globalization, where string.Normalize leaves non-ASCII text as it is, so the letters
    // are folded by this table: all of Vietnamese (đ included, which no decomposition turns into d) and the accented
    // Latin letters of brand names (Nestlé, Häagen-Dazs).
    private static readonly FrozenDictionary<char, char> Plain = new (char Plain, string Accented)[]
    {
        ('a', "àáảãạăằắẳẵặâầấẩẫậäåāą"),
        ('c', "çćč"),
        ('d', "đď"),
        ('e', "èéẻẽẹêềếểễệëēęě"),
        ('g', "ğ"),
        ('i', "ìíỉĩịîïī"),
        ('l', "ł"),
        ('n', "ñńň"),
        ('o', "òóỏõọôồốổỗộơờớởỡợöøō"),
        ('r', "ř"),
        ('s', "śšş"),
        ('t', "ť"),
        ('u', "ùúủũụưừứửữựûüūů"),
        ('y', "ỳýỷỹỵÿ"),
        ('z', "źżž"),
    }.SelectMany(f => f.Accented.Select(a => (Accented: a, f.Plain))).ToFrozenDictionary(x => x.Accented, x => x.Plain);
}
