using System.Globalization;
using System.Text.RegularExpressions;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Pages;

namespace DataOpen.Api.Tests.Pages;

public sealed partial class UiTextTests
{
    private static readonly string PagesFolder = Path.Combine(RepoPaths.RepositoryRoot!, "src", "DataOpen.Api", "Pages");

    [Fact]
    public void Every_UI_text_has_both_Chinese_and_English()
    {
        foreach (var (key, (zh, en)) in Ui.Texts)
        {
            Assert.False(string.IsNullOrWhiteSpace(zh), $"'{key}' has no Chinese text");
            Assert.False(string.IsNullOrWhiteSpace(en), $"'{key}' has no English text");
            // Placeholders must match, or one language would drop or crash on an argument.
            Assert.Equal(Placeholders(zh), Placeholders(en));
        }
    }

    [Fact]
    public void Every_key_the_pages_use_is_defined()
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        var prefixes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(PagesFolder, "*.*", SearchOption.AllDirectories).Where(f => f.EndsWith(".cshtml", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            foreach (Match m in KeyPattern().Matches(text))
            {
                (m.Groups[2].Success ? prefixes : used).Add(m.Groups[1].Value);
            }
        }

        Assert.True(used.Count > 100, $"only {used.Count} keys found: the scan pattern is broken");
        Assert.Equal([], used.Where(k => !Ui.Texts.ContainsKey(k)).ToList());

        // Keys built as prefix + value: every value the code can produce has a text.
        var dynamic = new Dictionary<string, string[]>
        {
            ["sort."] = DataOpen.Api.Catalog.CatalogSearch.Sorts,
            ["chart.caption."] = ["count", "sum", "avg"],
            ["chart.valueHeader."] = ["count", "sum", "avg"],
            ["feedback.kind."] = FeedbackKinds.All,
            ["requests.status."] = FeedbackKinds.RequestStatuses,
            ["reuse.kind."] = DataOpen.Api.Community.ReuseKinds.All,
        };
        Assert.Equal(dynamic.Keys.Order(), prefixes.Order());
        foreach (var (prefix, values) in dynamic)
        {
            Assert.All(values, v => Assert.True(Ui.Texts.ContainsKey(prefix + v), $"missing '{prefix}{v}'"));
        }
    }

    [Fact]
    public void Ui_follows_the_current_UI_culture_and_falls_back_to_Chinese_metadata()
    {
        var ui = new Ui();
        var saved = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = new CultureInfo("en");
            Assert.Equal("Datasets", ui["nav.datasets"]);
            Assert.Equal("Air", ui.Pick("空气", "Air"));
            Assert.Equal("空气", ui.Pick("空气", null));
            CultureInfo.CurrentUICulture = new CultureInfo("zh-CN");
            Assert.Equal("数据目录", ui["nav.datasets"]);
            Assert.Equal("空气", ui.Pick("空气", "Air"));
            Assert.Throws<KeyNotFoundException>(() => ui["no.such.key"]);
        }
        finally
        {
            CultureInfo.CurrentUICulture = saved;
        }
    }

    [Theory]
    [InlineData("daily", 1, true)]
    [InlineData("daily", 3, false)]
    [InlineData("monthly", 31, true)]
    [InlineData("monthly", 40, false)]
    [InlineData("yearly", 300, true)]
    [InlineData("real-time", 2, false)]
    public void Timeliness_compares_the_last_update_with_the_declared_frequency(string frequency, int daysAgo, bool onTime)
    {
        var now = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(onTime, PageFormat.OnTime(frequency, now.AddDays(-daysAgo), now));
    }

    [Theory]
    [InlineData("irregular")]
    [InlineData("never")]
    public void Irregular_and_never_updated_datasets_have_no_schedule_to_miss(string frequency) =>
        Assert.Null(PageFormat.OnTime(frequency, DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow));

    private static List<string> Placeholders(string text) => PlaceholderPattern().Matches(text).Select(m => m.Value).Distinct().Order(StringComparer.Ordinal).ToList();

    // T["key"], ui["key"], T.Format("key", …), ui.Format("key", …); group 2 marks a "prefix." + value key.
    [GeneratedRegex("""(?:\bT|\bui)(?:\[|\.Format\()"([a-zA-Z0-9.\-]+)"(\s*\+)?""")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex PlaceholderPattern();
}
