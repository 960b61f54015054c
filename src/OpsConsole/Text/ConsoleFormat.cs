using System.Globalization;

namespace Grocery.Workflows.OpsConsole.Text;

/// <summary>
/// Times in a store's time zone, money in a store's currency (VND without decimals, SGD and THB with two), durations
/// short; grouped the way the operator's language writes numbers (1,250,000 in English, 1.250.000 in Vietnamese).
/// </summary>
public sealed class ConsoleFormat(ConsoleText text)
{
    private static readonly Dictionary<string, TimeZoneInfo?> Zones = new(StringComparer.Ordinal);

    /// <summary>Minor units per currency that the engine's stores price in; any other is taken to have two decimals.</summary>
    public static int Decimals(string currency) => currency switch
    {
        "VND" => 0,
        _ => 2,
    };

    private NumberFormatInfo Numbers => text.Language == ConsoleText.VietnameseCode
        ? new NumberFormatInfo { NumberGroupSeparator = ".", NumberDecimalSeparator = "," }
        : NumberFormatInfo.InvariantInfo;

    /// <summary>An amount in minor units, e.g. <c>1,250,000 VND</c> or <c>12.50 SGD</c>.</summary>
    public string Money(long minorUnits, string currency)
    {
        var decimals = Decimals(currency);
        var amount = minorUnits / (decimal)Math.Pow(10, decimals);
        return $"{amount.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), Numbers)} {currency}";
    }

    /// <summary>A count, grouped.</summary>
    public string Count(long value) => value.ToString("N0", Numbers);

    /// <summary>A ratio as a percentage with one decimal.</summary>
    public string Percent(double ratio) => (ratio * 100).ToString("N1", Numbers) + " %";

    /// <summary>The moment in the zone (IANA name), with the zone's offset: <c>2026-12-03 14:05:09 +07</c>; UTC without a zone.</summary>
    public static string Time(DateTimeOffset at, string? timeZone = null)
    {
        var zone = Zone(timeZone);
        var local = zone is null ? at.ToUniversalTime() : TimeZoneInfo.ConvertTime(at, zone);
        var offset = "UTC";
        if (local.Offset != TimeSpan.Zero)
        {
            var sign = local.Offset < TimeSpan.Zero ? "-" : "+";
            offset = sign + local.Offset.ToString(local.Offset.Minutes == 0 ? "hh" : @"hh\:mm", CultureInfo.InvariantCulture);
        }

        return $"{local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} {offset}";
    }

    /// <summary>A message type's short name, from its URN (<c>urn:message:Ns:Type</c>) or its type name (<c>Ns.Type, Assembly</c>).</summary>
    public static string MessageName(string messageType)
    {
        ArgumentNullException.ThrowIfNull(messageType);
        var name = messageType.Split(',')[0];
        return name[(Math.Max(name.LastIndexOf(':'), name.LastIndexOf('.')) + 1)..];
    }

    /// <summary>Machine-readable, for the time element's datetime attribute.</summary>
    public static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>3 h 05 min, 4 min 12 s, 850 ms.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        if (span.TotalDays >= 1)
        {
            return $"{(int)span.TotalDays} d {span.Hours} h";
        }

        if (span.TotalHours >= 1)
        {
            return $"{(int)span.TotalHours} h {span.Minutes:00} min";
        }

        if (span.TotalMinutes >= 1)
        {
            return $"{(int)span.TotalMinutes} min {span.Seconds} s";
        }

        return span.TotalSeconds >= 1 ? $"{span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s" : $"{(int)span.TotalMilliseconds} ms";
    }

    private static TimeZoneInfo? Zone(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return null;
        }

        lock (Zones)
        {
            if (!Zones.TryGetValue(id, out var zone))
            {
                zone = TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found) ? found : null;
                Zones[id] = zone;
            }

            return zone;
        }
    }
}
