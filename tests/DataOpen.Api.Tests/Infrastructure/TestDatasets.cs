using System.Globalization;
using System.Text;
using System.Text.Json;
using DataOpen.Api.Infrastructure;
using DataOpen.Core.Catalog;

namespace DataOpen.Api.Tests.Infrastructure;

/// <summary>Uniquely named datasets made by mutating tests, with their own reference records.</summary>
public static class TestDatasets
{
    public const string Publisher = "test-department";
    public const string License = "test-licence";
    public const string Scheme = "test-axis";
    public const string Theme = "test-theme";

    public static async Task EnsureReferencesAsync(Database database)
    {
        await using var cmd = database.Writer.CreateCommand(ReferencesSql);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>The publisher, licence and theme the test datasets name.</summary>
    public const string ReferencesSql =
        $"""
        INSERT INTO catalog.publishers (id, name_zh, name_en) VALUES ('{Publisher}', '测试部门', 'Test department') ON CONFLICT DO NOTHING;
        INSERT INTO catalog.licenses (id, title_zh, title_en) VALUES ('{License}', '测试许可', 'Test licence') ON CONFLICT DO NOTHING;
        INSERT INTO catalog.theme_schemes (id, name_zh) VALUES ('{Scheme}', '测试分类') ON CONFLICT DO NOTHING;
        INSERT INTO catalog.themes (scheme_id, code, label_zh) VALUES ('{Scheme}', '{Theme}', '测试主题') ON CONFLICT DO NOTHING;
        """;

    public static string NewIdentifier(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    public static DatasetDefinition Definition(string identifier, string file = "data.csv", string openClass = "unconditional", IReadOnlyList<FieldSpec>? fields = null, string title = "测试数据集") =>
        new(identifier, new Localized(title + " " + identifier, "Test dataset " + identifier), new Localized("测试用合成数据（synthetic test data）。", "Synthetic test data."),
            Publisher, new Dictionary<string, IReadOnlyList<string>> { [Scheme] = [Theme] }, new LocalizedList(["测试"], ["test"]),
            openClass, "daily", "2025-01-01", License, "general", new SourceSpec(file),
            OpenConditions: openClass == "conditional" ? new Localized("需申请", "Apply first") : null, Fields: fields);

    /// <summary>Writes dataset.json and a CSV of <paramref name="rows"/> rows (id, station, value, day) into a new folder.</summary>
    public static string WriteCsvFolder(DatasetDefinition definition, int rows, int seed = 1)
    {
        var folder = TestFolders.New("ds");
        File.WriteAllText(Path.Combine(folder, "dataset.json"), JsonSerializer.Serialize(definition, DatasetDefinition.JsonOptions));
        WriteCsv(Path.Combine(folder, definition.Source.File), rows, seed);
        return folder;
    }

    public static void WriteCsv(string path, int rows, int seed = 1)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        w.WriteLine("id,station,value,day");
        var day = new DateOnly(2024, 1, 1);
        for (var i = 1; i <= rows; i++)
        {
            w.Write(i);
            w.Write(",站点");
            w.Write((i * seed) % 17);
            w.Write(',');
            w.Write(((i * 7919L * seed) % 100000 / 100m).ToString(CultureInfo.InvariantCulture));
            w.Write(',');
            w.WriteLine(day.AddDays(i % 365).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// Publishes a version of <paramref name="rows"/> rows (<c>id,name</c>, names <paramref name="namePrefix"/>1…) through
    /// the admin REST door with <paramref name="admin"/> (a client holding the admin key), asserting 201.
    /// </summary>
    public static async Task PublishIdNameCsvAsync(HttpClient admin, string id, int rows, string namePrefix = "乙")
    {
        var csv = new StringBuilder("id,name\n");
        for (var i = 1; i <= rows; i++)
        {
            csv.Append(i).Append(',').Append(namePrefix).Append(i).Append('\n');
        }

        using var body = new ByteArrayContent(Encoding.UTF8.GetBytes(csv.ToString()));
        body.Headers.ContentType = new("application/octet-stream");
        using var created = await admin.PostAsync($"/api/v1/admin/datasets/{id}/versions?filename=v{rows}.csv", body);
        Xunit.Assert.True(created.StatusCode == System.Net.HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
    }
}
