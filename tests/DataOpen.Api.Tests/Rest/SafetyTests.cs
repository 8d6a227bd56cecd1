using System.Net;
using System.Text;
using System.Text.Json;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.Rest;

/// <summary>Hostile input in every parameter of rows and download: a 200 with correct results or a 400 problem, never a 500, never SQL.</summary>
[Collection(ApiTests.Name)]
public sealed class SafetyTests(DataOpenFactory factory)
{
    private const string Canary = "rest_canary";

    public static readonly string[] Corpus =
    [
        "'", "''", "';--", "\"", "\\", "\\'", ";", "1; DROP TABLE data." + Canary, "'; DROP TABLE data." + Canary + "; --",
        "\"; DROP TABLE data." + Canary + "; --", "route_count gt 1; DROP TABLE data." + Canary, "/* comment */", "-- comment", "route_count gt 1 -- x",
        "$$", "$$; DROP TABLE data." + Canary + "; $$", "$tag$ x $tag$", "' OR '1'='1", "1 or 1 eq 1", "null", "NaN", "Infinity",
        "99999999999999999999999999999999", "-", "[", "]", "route_count[gt]", "%", "_", "%00", "\0", "ｒｏｕｔｅ_count", "route_cоunt", "１２３", "😀", "\u202e",
        "长春", "\r\n", new string('x', 20_000), new string('(', 500) + "route_count gt 1" + new string(')', 500),
        string.Concat(Enumerable.Repeat("route_count gt 1 or ", 1_000)) + "route_count gt 1", string.Concat(Enumerable.Repeat("route_count gt 1 or ", 400)) + "route_count gt 1", string.Concat(Enumerable.Repeat("-", 400)) + "1",
        "tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(tolower(stop_name)))))))))))))))))))))))))))))))))) eq 'x'",
        "count(), sum(route_count) as \"x; drop\"", "route_count as x", "stop_id,stop_id", "-route_count,-route_count", "district", "count(),avg(route_count)", "0", "-1", "10001", "1e3", "0x10",
        "eyJoIjoiIiwiayI6W119", "pg_sleep(10) eq 1", "current_user eq 'x'", "(select 1) eq 1",
    ];

    public static readonly string[] Parameters =
    [
        "filter", "select", "order", "limit", "offset", "cursor", "after", "count", "version", "group_by", "aggregate", "format",
        "stop_id", "route_count[gt]", "stop_name[icontains]", "longitude[ge]", "route_count[in]", "street[null]", "district[startswith]", "routes[iendswith]",
    ];

    [Fact]
    public async Task The_injection_corpus_in_every_parameter_of_rows_and_download_never_causes_a_500_and_leaves_tables_intact()
        => await RunCorpusAsync();

    [Fact]
    public async Task Over_long_condition_values_are_refused_as_too_complex_before_they_reach_the_database()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/api/v1/datasets/air-quality-hourly/rows?station_name[icontains]=" + new string('x', 20_000));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("too_complex", problem.GetProperty("code").GetString());
        Assert.Equal("station_name[icontains]", problem.GetProperty("parameter").GetString());
    }

    private async Task RunCorpusAsync()
    {
        await using (var create = factory.Database.Writer.CreateCommand($"CREATE TABLE IF NOT EXISTS data.{Canary} (x int); INSERT INTO data.{Canary} VALUES (1)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var rowsBefore = await CountAsync("SELECT count(*) FROM data." + Canary);
        using var client = factory.CreateClient();
        var failures = new List<string>();
        var statuses = new Dictionary<HttpStatusCode, int>();
        foreach (var endpoint in new[] { "rows", "download" })
        {
            foreach (var parameter in Parameters.Append("<corpus as the key>"))
            {
                foreach (var value in Corpus)
                {
                    var query = parameter == "<corpus as the key>"
                        ? $"{Uri.EscapeDataString(value)}=1"
                        : $"{Uri.EscapeDataString(parameter)}={Uri.EscapeDataString(value)}";
                    // Keep downloads small when the hostile value happens to be a valid, broad query.
                    var suffix = endpoint == "download" && parameter != "limit" ? "&limit=5" : "";
                    var url = $"/api/v1/datasets/bus-stops/{endpoint}?{query}{suffix}";
                    var response = await client.GetAsync(url);
                    statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
                    if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.NotFound))
                    {
                        failures.Add($"{(int)response.StatusCode} {endpoint} {parameter}={Shorten(value)}: {Shorten(await response.Content.ReadAsStringAsync())}");
                        continue;
                    }

                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json" || !problem.TryGetProperty("detail", out _))
                        {
                            failures.Add($"{(int)response.StatusCode} without a problem body: {endpoint} {parameter}={Shorten(value)}");
                        }

                        var body = problem.GetRawText();
                        if (body.Contains("Npgsql", StringComparison.Ordinal) || body.Contains("   at ", StringComparison.Ordinal))
                        {
                            failures.Add($"stack trace or driver detail leaked: {endpoint} {parameter}={Shorten(value)}");
                        }
                    }
                    else if (endpoint == "rows")
                    {
                        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                        Assert.Equal(JsonValueKind.Array, doc.RootElement.GetProperty("rows").ValueKind);
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(30)));
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.BadRequest) > 0 && statuses.GetValueOrDefault(HttpStatusCode.OK) > 0, string.Join(", ", statuses));
        Assert.Equal(rowsBefore, await CountAsync("SELECT count(*) FROM data." + Canary));
        var air = factory.Catalog.Current.Find("bus-stops")!.Current!;
        Assert.Equal(air.RowCount, await CountAsync($"SELECT count(*) FROM data.\"{air.TableName}\""));
    }

    [Fact]
    public async Task A_quote_in_a_value_is_data_matched_literally_not_sql()
    {
        using var client = factory.CreateClient();
        var text = await client.GetStringAsync("/api/v1/datasets/air-quality-hourly/rows?station_name=" + Uri.EscapeDataString("x' OR '1'='1") + "&count=exact");
        using var doc = JsonDocument.Parse(text);
        Assert.Equal(0, doc.RootElement.GetProperty("count").GetInt64());
        var like = await client.GetStringAsync("/api/v1/datasets/air-quality-hourly/rows?station_name[contains]=%25&count=exact&limit=0");
        Assert.Equal(0, JsonDocument.Parse(like).RootElement.GetProperty("count").GetInt64());
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var cmd = factory.Database.Writer.CreateCommand(sql);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static string Shorten(string s) => s.Length <= 120 ? s.ReplaceLineEndings(" ") : s[..117].ReplaceLineEndings(" ") + "…";
}
