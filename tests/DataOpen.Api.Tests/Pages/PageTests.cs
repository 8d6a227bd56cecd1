using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.Pages;

/// <summary>The catalog pages over HTTP (server-rendered HTML, no browser): content, language, errors, forms.</summary>
[Collection(ApiTests.Name)]
public sealed partial class PageTests(DataOpenFactory factory)
{
    [Fact]
    public async Task Home_is_Chinese_by_default_with_counters_themes_and_newest_datasets()
    {
        using var client = factory.CreateClient();
        var html = await client.GetStringAsync("/");
        Assert.Contains("<html lang=\"zh-CN\">", html, StringComparison.Ordinal);
        Assert.Contains("长春新区公共数据开放平台", html, StringComparison.Ordinal);
        Assert.Contains("按主题浏览", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/datasets/air-quality-hourly\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("enterprise-tax-details", html, StringComparison.Ordinal);
        var datasets = CountPattern().Match(html);
        Assert.True(datasets.Success);
        Assert.True(int.Parse(datasets.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture) >= 11);
        // The four lists of the home page: newest, most downloaded, best rated, latest reuses.
        foreach (var heading in new[] { "newest-title", "popular-title", "rated-title", "reuses-home-title" })
        {
            Assert.Contains($"id=\"{heading}\"", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Accept_Language_English_and_the_language_cookie_switch_the_page_to_English()
    {
        using var client = factory.CreateClient();
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/"))
        {
            request.Headers.AcceptLanguage.ParseAdd("en-US,en;q=0.9");
            var html = await (await client.SendAsync(request)).Content.ReadAsStringAsync();
            Assert.Contains("<html lang=\"en\">", html, StringComparison.Ordinal);
            Assert.Contains("Browse by theme", html, StringComparison.Ordinal);
        }

        var toggle = await client.GetAsync("/language?culture=en&returnUrl=%2Fdatasets%2Fair-quality-hourly");
        Assert.Equal("/datasets/air-quality-hourly", toggle.RequestMessage!.RequestUri!.AbsolutePath);
        var page = await toggle.Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"en\">", page, StringComparison.Ordinal);
        Assert.Contains("Air", page, StringComparison.Ordinal);
        Assert.Contains("Chinese label", page, StringComparison.Ordinal);

        // The cookie is remembered and wins over a Chinese Accept-Language.
        using var zh = new HttpRequestMessage(HttpMethod.Get, "/developers");
        zh.Headers.AcceptLanguage.ParseAdd("zh-CN");
        Assert.Contains("<html lang=\"en\">", await (await client.SendAsync(zh)).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Language_toggle_refuses_unknown_cultures_and_never_redirects_off_site()
    {
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/language?culture=fr")).StatusCode);
        var offsite = await client.GetAsync("/language?culture=en&returnUrl=%2F%2Fevil.example.com%2F");
        Assert.Equal("/", offsite.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Search_for_air_in_Chinese_and_English_finds_the_air_quality_dataset_with_facets()
    {
        using var client = factory.CreateClient();
        var zh = await client.GetStringAsync("/datasets?q=" + Uri.EscapeDataString("空气"));
        Assert.Contains("href=\"/datasets/air-quality-hourly\"", zh, StringComparison.Ordinal);
        Assert.Contains("开放属性", zh, StringComparison.Ordinal);
        Assert.Contains("open_class=unconditional", zh, StringComparison.Ordinal);

        var en = await client.GetStringAsync("/datasets?q=air+quality");
        Assert.Contains("href=\"/datasets/air-quality-hourly\"", en, StringComparison.Ordinal);

        var filtered = await client.GetStringAsync("/datasets?open_class=conditional");
        Assert.Contains("href=\"/datasets/enterprise-energy-consumption\"", filtered, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/datasets/air-quality-hourly\"", filtered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_pages_ten_results_at_a_time_with_shareable_links()
    {
        using var client = factory.CreateClient();
        var first = await client.GetStringAsync("/datasets?sort=title");
        var second = await client.GetStringAsync("/datasets?sort=title&page=2");
        Assert.Contains("href=\"/datasets?sort=title&amp;page=2\"", first, StringComparison.Ordinal);
        var firstIds = DatasetLinks(first);
        var secondIds = DatasetLinks(second);
        Assert.Equal(10, firstIds.Count);
        Assert.NotEmpty(secondIds);
        Assert.Empty(firstIds.Intersect(secondIds));
    }

    [Theory]
    [InlineData("/datasets?sort=size")]
    [InlineData("/datasets?page=0")]
    [InlineData("/datasets?open_class=not-open")]
    [InlineData("/datasets?theme=environment")]
    public async Task Bad_search_parameters_give_a_400_page_that_says_what_is_wrong(string url)
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("class=\"error\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dataset_page_shows_metadata_fields_preview_chart_versions_downloads_and_api_examples()
    {
        using var client = factory.CreateClient();
        var html = await client.GetStringAsync("/datasets/air-quality-hourly");
        Assert.Contains("空气质量", html, StringComparison.Ordinal);
        Assert.Contains("无条件开放", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"timeliness\"", html, StringComparison.Ordinal);
        Assert.Contains("细颗粒物（PM2.5）", html, StringComparison.Ordinal);
        Assert.Contains("μg/m³", html, StringComparison.Ordinal);
        Assert.Equal(10, PreviewRowPattern().Count(Between(html, "data-testid=\"preview\"", "</table>")));
        Assert.Contains("/api/v1/datasets/air-quality-hourly/download?format=csv", html, StringComparison.Ordinal);
        Assert.Contains("/api/v1/datasets/air-quality-hourly/download?format=csv&amp;version=1", html, StringComparison.Ordinal);
        Assert.Contains("/odata/AirQualityHourly", html, StringComparison.Ordinal);
        Assert.Contains("airQualityHourly(first: 5)", html, StringComparison.Ordinal);
        Assert.Contains("id=\"chart-data\"", html, StringComparison.Ordinal);

        var chart = JsonDocument.Parse(Between(html, "<script type=\"application/json\" id=\"chart-data\">", "</script>")).RootElement;
        Assert.Equal("time", chart.GetProperty("kind").GetString());
        Assert.Equal("observed_at", chart.GetProperty("dimension").GetString());
        Assert.True(chart.GetProperty("labels").GetArrayLength() >= 2);
    }

    [Fact]
    public async Task Dataset_page_embeds_schema_org_Dataset_JSON_LD_with_distributions_license_and_publisher()
    {
        using var client = factory.CreateClient();
        var html = await client.GetStringAsync("/datasets/air-quality-hourly");
        var ld = JsonDocument.Parse(Between(html, "<script type=\"application/ld+json\">", "</script>")).RootElement;
        Assert.Equal("Dataset", ld.GetProperty("@type").GetString());
        Assert.Equal("air-quality-hourly", ld.GetProperty("identifier").GetString());
        Assert.False(string.IsNullOrEmpty(ld.GetProperty("license").GetString()));
        Assert.False(string.IsNullOrEmpty(ld.GetProperty("publisher").GetProperty("name").GetString()));
        Assert.Equal("2023-01-01/2025-12-31", ld.GetProperty("temporalCoverage").GetString());
        var formats = ld.GetProperty("distribution").EnumerateArray().Select(d => d.GetProperty("encodingFormat").GetString()).ToList();
        Assert.Contains("text/csv", formats);
        Assert.Contains(ld.GetProperty("distribution").EnumerateArray(), d => d.GetProperty("contentUrl").GetString()!.EndsWith("/download?format=csv", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Conditional_dataset_shows_conditions_and_the_application_form_but_no_rows()
    {
        using var client = factory.CreateClient();
        var html = await client.GetStringAsync("/datasets/enterprise-energy-consumption");
        Assert.Contains("有条件开放", html, StringComparison.Ordinal);
        Assert.Contains("id=\"apply\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"Apply.ApiKey\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"preview\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("download?format=csv", html, StringComparison.Ordinal);
        Assert.Contains("统一社会信用代码", html, StringComparison.Ordinal); // the field list is public metadata
    }

    [Theory]
    [InlineData("/datasets/enterprise-tax-details")]
    [InlineData("/datasets/no-such-dataset")]
    [InlineData("/no-such-page")]
    public async Task Not_open_and_unknown_datasets_get_the_same_404_page(string url)
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("页面不存在", html, StringComparison.Ordinal);
        Assert.DoesNotContain("企业税收", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_404s_stay_problem_json_not_html()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/api/v1/datasets/enterprise-tax-details");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Sitemap_lists_open_datasets_and_robots_points_to_it()
    {
        using var client = factory.CreateClient();
        var sitemap = await client.GetStringAsync("/sitemap.xml");
        Assert.Contains("/datasets/air-quality-hourly</loc>", sitemap, StringComparison.Ordinal);
        Assert.Contains("/datasets/enterprise-energy-consumption</loc>", sitemap, StringComparison.Ordinal);
        Assert.DoesNotContain("enterprise-tax-details", sitemap, StringComparison.Ordinal);
        System.Xml.Linq.XDocument.Parse(sitemap);
        var robots = await client.GetStringAsync("/robots.txt");
        Assert.Contains("Sitemap: http://localhost/sitemap.xml", robots, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Statistics_page_explains_the_protection_and_lists_only_policy_stats_tables()
    {
        using var client = factory.CreateClient();
        var html = await client.GetStringAsync("/statistics");
        Assert.Contains("最少户数规则", html, StringComparison.Ordinal);
        Assert.Contains("关联隐藏", html, StringComparison.Ordinal);
        var published = factory.Catalog.Current.Served.Any(d => d.Identifier.StartsWith("policy-stats-", StringComparison.Ordinal));
        Assert.Equal(!published, html.Contains("data-testid=\"stats-none\"", StringComparison.Ordinal));
        Assert.DoesNotContain("href=\"/datasets/air-quality-hourly\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Developer_portal_lists_tiers_from_seeds_and_the_doors()
    {
        using var client = factory.CreateClient();
        var html = await client.GetStringAsync("/developers");
        Assert.Contains("匿名访问", html, StringComparison.Ordinal);
        Assert.Contains("100,000", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/swagger\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/graphiql/\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"Input.Email\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Error_report_is_stored_for_stewards_and_a_public_answer_appears_on_the_dataset_page()
    {
        using var client = factory.CreateClient();
        var marker = "站点编码有误 " + Guid.NewGuid().ToString("N")[..8];
        var token = await AntiforgeryTokenAsync(client, "/datasets/bus-stops");
        var post = await client.PostAsync("/datasets/bus-stops?handler=Feedback", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["Feedback.Kind"] = "error",
            ["Feedback.Field"] = "stop_name",
            ["Feedback.Message"] = marker,
            ["Feedback.Contact"] = "reporter@example.com",
        }));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Contains("data-testid=\"feedback-result\"", await post.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var steward = factory.CreateAdminClient();
        var reports = await steward.GetFromJsonAsync<JsonElement>("/api/v1/steward/feedback?dataset=bus-stops&status=new");
        var report = reports.EnumerateArray().Single(r => r.GetProperty("message").GetString() == marker);
        Assert.Equal("stop_name", report.GetProperty("field").GetString());
        Assert.Equal("reporter@example.com", report.GetProperty("contact").GetString());
        var id = report.GetProperty("id").GetInt64();

        Assert.DoesNotContain(marker, await client.GetStringAsync("/datasets/bus-stops"), StringComparison.Ordinal);
        var answer = await steward.PostAsJsonAsync($"/api/v1/steward/feedback/{id}", new { status = "answered", answer = "已更正，谢谢。", @public = true });
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);

        var page = await client.GetStringAsync("/datasets/bus-stops");
        Assert.Contains(marker, page, StringComparison.Ordinal);
        Assert.Contains("已更正，谢谢。", page, StringComparison.Ordinal);
        Assert.DoesNotContain("reporter@example.com", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feedback_with_an_unknown_field_or_a_too_short_message_is_refused_with_reasons()
    {
        using var client = factory.CreateClient();
        var token = await AntiforgeryTokenAsync(client, "/datasets/bus-stops");
        var post = await client.PostAsync("/datasets/bus-stops?handler=Feedback", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["Feedback.Kind"] = "rant",
            ["Feedback.Field"] = "no_such_field",
            ["Feedback.Message"] = "x",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        var html = await post.Content.ReadAsStringAsync();
        Assert.Contains("no_such_field", html, StringComparison.Ordinal);
        Assert.Contains("rant", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Posting_a_form_without_the_antiforgery_token_is_rejected()
    {
        using var client = factory.CreateClient();
        var post = await client.PostAsync("/requests", new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.Title"] = "公交实时到站", ["Input.Description"] = "希望开放公交实时到站数据" }));
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
    }

    [Fact]
    public async Task Data_request_is_stored_and_listed_publicly_once_a_steward_publishes_the_answer()
    {
        using var client = factory.CreateClient();
        var title = "公交实时到站 " + Guid.NewGuid().ToString("N")[..8];
        var token = await AntiforgeryTokenAsync(client, "/requests");
        var post = await client.PostAsync("/requests", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["Input.Title"] = title,
            ["Input.Description"] = "希望开放各线路车辆实时位置和到站预测。",
            ["Input.Publisher"] = "",
        }));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.DoesNotContain(title, await client.GetStringAsync("/requests"), StringComparison.Ordinal);

        using var steward = factory.CreateAdminClient();
        var list = await steward.GetFromJsonAsync<JsonElement>("/api/v1/steward/requests?status=new");
        var id = list.EnumerateArray().Single(r => r.GetProperty("title").GetString() == title).GetProperty("id").GetInt64();
        var bad = await steward.PostAsJsonAsync($"/api/v1/steward/requests/{id}", new { status = "maybe", @public = true });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("maybe", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var ok = await steward.PostAsJsonAsync($"/api/v1/steward/requests/{id}", new { status = "planned", answer = "已列入 2026 年开放计划。", @public = true });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        var html = await client.GetStringAsync("/requests");
        Assert.Contains(title, html, StringComparison.Ordinal);
        Assert.Contains("已列入 2026 年开放计划。", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Steward_endpoints_refuse_anonymous_callers_unknown_keys_and_plain_key_holders()
    {
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/steward/feedback")).StatusCode);
        client.DefaultRequestHeaders.Add("X-Api-Key", "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/steward/requests")).StatusCode);

        var (key, _) = await DataOpen.Api.Tests.Access.AccessHelpers.NewKeyAsync(factory);
        using var holder = DataOpen.Api.Tests.Access.AccessHelpers.ClientWithKey(factory, key);
        Assert.Equal(HttpStatusCode.Forbidden, (await holder.GetAsync("/api/v1/steward/feedback")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await holder.GetAsync("/api/v1/steward/requests")).StatusCode);
    }

    [Fact]
    public async Task Reader_role_cannot_read_the_feedback_schema()
    {
        await using var conn = await factory.Database.Reader.OpenConnectionAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT count(*) FROM feedback.reports", conn);
        var ex = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => cmd.ExecuteScalarAsync());
        Assert.Equal("42501", ex.SqlState);
    }

    internal static async Task<string> AntiforgeryTokenAsync(HttpClient client, string url)
    {
        var html = await client.GetStringAsync(url);
        var m = TokenPattern().Match(html);
        Assert.True(m.Success, $"no antiforgery token on {url}");
        return WebUtility.HtmlDecode(m.Groups[1].Value);
    }

    private static List<string> DatasetLinks(string html) =>
        ResultLinkPattern().Matches(Between(html, "class=\"result-list\"", "</ol>")).Select(m => m.Groups[1].Value).ToList();

    private static string Between(string text, string start, string end)
    {
        var i = text.IndexOf(start, StringComparison.Ordinal);
        Assert.True(i >= 0, $"'{start}' not found");
        i += start.Length;
        var j = text.IndexOf(end, i, StringComparison.Ordinal);
        return text[i..j];
    }

    [GeneratedRegex("data-testid=\"count-datasets\">([0-9,]+)<")]
    private static partial Regex CountPattern();

    [GeneratedRegex(@"<tr>\s*<td>")]
    private static partial Regex PreviewRowPattern();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("<h3><a href=\"/datasets/([a-z0-9-]+)\">")]
    private static partial Regex ResultLinkPattern();
}
