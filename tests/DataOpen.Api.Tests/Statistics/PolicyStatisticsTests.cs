using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Statistics;
using DataOpen.Api.Tests.GraphQL;
using DataOpen.Api.Tests.Infrastructure;
using DataOpen.Disclosure.Tables;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataOpen.Api.Tests.Statistics;

/// <summary>The published policy statistics through every door, and the microdata behind them through none.</summary>
[Collection(ApiTests.Name)]
public sealed class PolicyStatisticsTests(DataOpenFactory factory)
{
    private const string Talents = "policy-stats-talents-persons-by-track-level-year";
    private const string GrantAmounts = "policy-stats-grants-amount-by-measure-track-year";

    private static IReadOnlyList<TableDefinition> Definitions { get; } =
        StatisticsTables.Load(RepoPaths.Resolve(StatisticsTables.DefaultPath));

    [Fact]
    public void Every_configured_table_is_an_open_dataset_of_the_statistics_department()
    {
        var snapshot = factory.Catalog.Current;

        Assert.Equal(8, Definitions.Count);
        foreach (var d in Definitions)
        {
            var dataset = snapshot.FindServed(StatisticsDatasets.Identifier(d.Id));
            Assert.NotNull(dataset);
            Assert.Equal("unconditional", dataset.OpenClass);
            Assert.Equal("statistics", dataset.Metadata.Publisher);
            Assert.True(dataset.Metadata.Themes.Count >= 2);
            Assert.Contains("synthetic sample data", dataset.Metadata.Description.En, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("合成样例数据", dataset.Metadata.Description.Zh, StringComparison.Ordinal);
            Assert.Equal([.. d.Dimensions.Select(x => x.Name), "value", "status"], dataset.Current!.Shape.Fields.Select(f => f.Name));
        }
    }

    [Fact]
    public void Public_metadata_never_states_the_disclosure_parameters()
    {
        foreach (var d in Definitions)
        {
            var m = factory.Catalog.Current.FindServed(StatisticsDatasets.Identifier(d.Id))!.Metadata;
            var text = JsonSerializer.Serialize(m, DataOpen.Core.Catalog.DatasetDefinition.JsonOptions);
            // The thresholds (3 enterprises, 10 persons, p = 10) must not be inferable from the published method.
            Assert.DoesNotMatch(@"(少于|fewer than|less than|at least|不足)\s*\d", text);
            Assert.DoesNotContain("%", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task REST_rows_serve_the_table_with_suppressed_cells_null_and_flagged_C()
    {
        using var client = factory.CreateClient();
        var body = await client.GetFromJsonAsync<JsonElement>($"/api/v1/datasets/{Talents}/rows?limit=1000");
        var rows = body.GetProperty("rows").EnumerateArray().ToList();

        Assert.Equal(8 * 6 * 4, rows.Count);
        var suppressed = rows.Where(r => r.GetProperty("status").ValueKind == JsonValueKind.String).ToList();
        Assert.NotEmpty(suppressed);
        Assert.All(suppressed, r =>
        {
            Assert.Equal("C", r.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, r.GetProperty("value").ValueKind);
        });
        var published = rows.Where(r => r.GetProperty("status").ValueKind == JsonValueKind.Null).Select(r => r.GetProperty("value").GetDecimal()).ToList();
        Assert.NotEmpty(published);
        Assert.DoesNotContain(published, v => v is > 0 and < 10);
        Assert.Contains(rows, r => r.GetProperty("track").GetString() == "_T" && r.GetProperty("level").GetString() == "_T" && r.GetProperty("year").GetString() == "_T");
    }

    [Fact]
    public async Task OData_serves_the_statistics_entity_set()
    {
        using var client = factory.CreateClient();
        var set = ODataNames.EntitySet(GrantAmounts);
        var response = await client.GetAsync($"/odata/{set}?$filter=status eq 'C'&$top=5");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rows = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").EnumerateArray().ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal(JsonValueKind.Null, r.GetProperty("value").ValueKind));
    }

    [Fact]
    public async Task GraphQL_has_a_rows_field_for_the_statistics_dataset()
    {
        using var client = factory.CreateClient();
        var response = await client.PostAsync($$"""{ dataset(id: "{{Talents}}") { rowsField } __schema { queryType { fields { name } } } }""");

        Assert.False(response.HasErrors, response.ToString());
        var field = response.Data.GetProperty("dataset").GetProperty("rowsField").GetString();
        Assert.False(string.IsNullOrEmpty(field));
        Assert.Contains(response.Data.GetProperty("__schema").GetProperty("queryType").GetProperty("fields").EnumerateArray(),
            f => f.GetProperty("name").GetString() == field);
    }

    [Fact]
    public async Task The_reader_role_cannot_read_any_restricted_table()
    {
        await using var conn = await factory.Database.Reader.OpenConnectionAsync();
        foreach (var table in new[] { "grants", "matching", "talents", "soft_regulation", "load_rejections", "disclosure_audits" })
        {
            await using var cmd = new NpgsqlCommand($"SELECT * FROM restricted.{table} LIMIT 1", conn);
            var e = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteReaderAsync());
            Assert.Equal("42501", e.SqlState);
        }
    }

    [Fact]
    public async Task No_door_serves_a_microdata_row()
    {
        // The microdata is loaded (the writer sees it) ...
        await using (var cmd = factory.Database.Writer.CreateCommand("SELECT count(*) FROM restricted.grants WHERE grant_id = 'SYN-G00001'"))
        {
            Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
        }
        // ... but no catalog entry, search hit or row holds it.
        Assert.DoesNotContain(factory.Catalog.Current.Datasets, d => RestrictedLoader.Sources.Contains(d.Identifier.Replace('-', '_'))
            || d.Identifier.Contains("restricted", StringComparison.Ordinal) || d.Identifier.Contains("microdata", StringComparison.Ordinal));
        using var client = factory.CreateClient();
        foreach (var q in new[] { "SYN-G00001", "SYN-E0001", "SYN-T00001" })
        {
            var search = await client.GetFromJsonAsync<JsonElement>($"/api/v1/datasets?q={q}");
            Assert.Equal(0, search.GetProperty("total").GetInt64());
        }
        foreach (var d in Definitions)
        {
            var text = await client.GetStringAsync($"/api/v1/datasets/{StatisticsDatasets.Identifier(d.Id)}/download?format=csv");
            Assert.DoesNotContain("SYN-", text, StringComparison.Ordinal);
        }
        foreach (var name in new[] { "grants", "matching", "talents", "soft-regulation", "restricted-grants" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/datasets/{name}/rows")).StatusCode);
        }
    }

    [Fact]
    public async Task The_stored_audit_passed_for_every_published_version()
    {
        await using var cmd = factory.Database.Writer.CreateCommand(
            """
            SELECT d.identifier, v.passed, v.suppressed_cells, v.primary_cells,
                   (SELECT count(*) FROM restricted.disclosure_audits a WHERE a.dataset_identifier = d.identifier AND a.version = d.current_version),
                   (SELECT count(*) FROM restricted.disclosure_audits a WHERE a.dataset_identifier = d.identifier AND a.version = d.current_version
                      AND (NOT a.passed OR a.lower_bound > a.required_lower + 1e-6 OR a.upper_bound < a.required_upper - 1e-6)),
                   v.suppression_method, v.suppression_cost, v.suppression_bound, v.suppression_gap, v.table_cost
            FROM catalog.datasets d
            LEFT JOIN restricted.disclosure_audit_versions v ON v.dataset_identifier = d.identifier AND v.version = d.current_version
            WHERE d.identifier LIKE 'policy-stats-%'
            """);
        var seen = 0;
        var primary = 0;
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            seen++;
            var id = r.GetString(0);
            Assert.False(r.IsDBNull(1), $"{id} has no stored audit");
            Assert.True(r.GetBoolean(1), $"{id}: audit not passed");
            Assert.Equal(r.GetInt32(2), (int)r.GetInt64(4));
            Assert.Equal(0L, r.GetInt64(5));
            primary += r.GetInt32(3);
            // Issue 18 item 3: the sample's components are solved exactly, so the stored gap is (close to) zero.
            Assert.Equal("mip-exact", r.GetString(6));
            Assert.True(r.GetDouble(7) >= r.GetDouble(8) - 1e-6, $"{id}: cost below its bound");
            Assert.InRange(r.GetDouble(9), 0, 1e-3);
            Assert.InRange(r.GetDouble(10), 0, r.GetDouble(7) + 1e-6);
        }
        Assert.Equal(Definitions.Count, seen);
        Assert.True(primary > 0);
    }

    [Fact]
    public async Task A_second_run_with_unchanged_inputs_recomputes_nothing()
    {
        var statistics = factory.Services.GetRequiredService<PolicyStatistics>();

        var result = await statistics.RunAsync(RepoPaths.Resolve("seeds/restricted"), RepoPaths.Resolve("datasets/policy-measures"),
            RepoPaths.Resolve(StatisticsTables.DefaultPath), CancellationToken.None);

        Assert.True(result.Skipped);
        Assert.False(result.Load.Reloaded);
    }

    [Fact]
    public async Task A_record_that_breaks_a_policy_rule_is_rejected_citing_measure_and_rule()
    {
        var folder = Directory.CreateTempSubdirectory("restricted-").FullName;
        try
        {
            foreach (var f in Directory.GetFiles(RepoPaths.Resolve("seeds/restricted"), "*.csv"))
            {
                File.Copy(f, Path.Combine(folder, Path.GetFileName(f)));
            }
            // 40% of the contract fee under XQSS-01, whose clause allows 30%.
            File.AppendAllText(Path.Combine(folder, "grants.csv"), "SYN-G99999,SYN-E0001,数字经济,北湖科技园,小型,XQSS-01,2025Q2,2025,1000000,400000\n");
            var loader = factory.Services.GetRequiredService<RestrictedLoader>();

            var result = await loader.LoadAsync(folder, RepoPaths.Resolve("datasets/policy-measures"), CancellationToken.None);

            var v = Assert.Single(result.Rejections);
            Assert.Equal(("SYN-G99999", "XQSS-01", "at most 30% of contract fee"), (v.RecordId, v.MeasureId, v.Rule));
            await using var cmd = factory.Database.Writer.CreateCommand(
                "SELECT measure_id, measure_name, rule FROM restricted.load_rejections WHERE record_id = 'SYN-G99999' AND load_sha256 = $1");
            cmd.Parameters.Add(new() { Value = result.Sha256 });
            await using (var r = await cmd.ExecuteReaderAsync())
            {
                Assert.True(await r.ReadAsync());
                Assert.Equal(("XQSS-01", "技术开发合同补助", "at most 30% of contract fee"), (r.GetString(0), r.GetString(1), r.GetString(2)));
            }
            await using var count = factory.Database.Writer.CreateCommand("SELECT count(*) FROM restricted.grants WHERE grant_id = 'SYN-G99999'");
            Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
        }
        finally
        {
            // Put the committed microdata back so the shared instance is as it started.
            await factory.Services.GetRequiredService<RestrictedLoader>().LoadAsync(RepoPaths.Resolve("seeds/restricted"),
                RepoPaths.Resolve("datasets/policy-measures"), CancellationToken.None);
            Directory.Delete(folder, recursive: true);
        }
    }
}
