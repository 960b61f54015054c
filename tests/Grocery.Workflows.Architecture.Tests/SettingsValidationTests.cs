using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Grocery.Workflows.Contracts;

namespace Grocery.Workflows.Architecture.Tests;

/// <summary>
/// Settings are validated at start, in every host of the process at once in the test suite. RangeAttribute with
/// bounds given as text parses them on first use without a lock (dotnet/runtime#1143): two engines starting together
/// failed with "Unable to cast TimeSpan to String". Durations use <see cref="DurationRangeAttribute"/>.
/// </summary>
public sealed class SettingsValidationTests
{
    private static readonly string[] Assemblies =
    [
        "Grocery.Workflows.Contracts", "Grocery.Workflows.Sagas", "Grocery.Workflows.Consumers", "Grocery.Workflows.Messaging",
        "Grocery.Workflows.Persistence", "Grocery.Workflows.Api", "Grocery.Workflows.OpsConsole", "Grocery.Workflows.Host",
    ];

    [Fact]
    public void No_setting_has_a_range_whose_bounds_are_parsed_from_text()
    {
        var ranges = Assemblies.Select(Assembly.Load).SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .SelectMany(p => p.GetCustomAttributes<RangeAttribute>().Select(r => (Property: $"{p.DeclaringType!.Name}.{p.Name}", Range: r)))
            .ToList();

        ranges.Count.ShouldBeGreaterThan(3, "the settings' integer ranges were not found: the scan is looking in the wrong place");
        ranges.Where(r => r.Range.Minimum is string || r.Range.Maximum is string).Select(r => r.Property)
            .ShouldBeEmpty("ranges with bounds in text; use [DurationRange] for a TimeSpan");
        Assemblies.Select(Assembly.Load).SelectMany(a => a.GetTypes()).SelectMany(t => t.GetProperties())
            .Count(p => p.GetCustomAttribute<DurationRangeAttribute>() is not null).ShouldBeGreaterThan(20);
    }

    [Fact]
    public void A_duration_range_holds_both_ends_and_says_which_setting_is_out_of_it()
    {
        var range = new DurationRangeAttribute("00:00:01", "1.00:00:00");

        range.IsValid(TimeSpan.FromSeconds(1)).ShouldBeTrue();
        range.IsValid(TimeSpan.FromDays(1)).ShouldBeTrue();
        range.IsValid(null).ShouldBeTrue();
        range.IsValid(TimeSpan.FromMilliseconds(999)).ShouldBeFalse();
        range.IsValid(TimeSpan.FromDays(1).Add(TimeSpan.FromTicks(1))).ShouldBeFalse();
        range.IsValid("00:00:05").ShouldBeFalse();
        range.FormatErrorMessage("PollInterval").ShouldBe("PollInterval must be between 00:00:01 and 1.00:00:00.");
    }

    [Fact]
    public void Many_threads_validating_at_once_all_get_the_same_answer()
    {
        // What RangeAttribute(typeof(TimeSpan), ...) fails: the first uses of one attribute, from many threads at once.
        for (var round = 0; round < 200; round++)
        {
            var range = new DurationRangeAttribute("00:00:00", "01:00:00");
            Parallel.For(0, 8, _ => range.IsValid(TimeSpan.FromMinutes(30)).ShouldBeTrue());
        }
    }
}
