using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DataOpen.Api.Tests.Infrastructure;
using MiniExcelLibs;
using Parquet;
using Parquet.Schema;

namespace DataOpen.Api.Tests.Rest;

[Collection(ApiTests.Name)]
public sealed class DownloadTests(DataOpenFactory factory)
{
    private async Task<HttpResponseMessage> Get(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync(url);
        if (response.StatusCode != expected)
        {
            Assert.Fail($"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return response;
    }

    private static string Csv(byte[] bytes)
    {
        Assert.True(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF, "CSV starts with a UTF-8 BOM");
        return Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
    }

    [Fact]
    public async Task Csv_is_utf8_with_bom_rfc4180_quoted_with_crlf_and_names_the_file_in_chinese()
    {
        var id = await RestFixtures.TrickyAsync(factory);
        var response = await Get($"/api/v1/datasets/{id}/download?format=csv");
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Contains($"filename=\"{id}_v1.csv\"", response.Content.Headers.GetValues("Content-Disposition").Single(), StringComparison.Ordinal);
        Assert.Contains("filename*=UTF-8''%E6%A3%98%E6%89%8B", response.Content.Headers.GetValues("Content-Disposition").Single(), StringComparison.Ordinal);
        Assert.Equal($"棘手数据 {id}_v1.csv", disposition.FileNameStar);
        var text = Csv(await response.Content.ReadAsByteArrayAsync());
        var expected =
            "id,name,flag,amount,ratio,at,day\r\n" +
            "1,\"a,b\",true,12.50,0.1,2024-01-01 08:00:00+08,2024-01-01\r\n" +
            "2,\"say \"\"hi\"\"\",false,-3,1e+20,2024-06-30 23:59:59.5+08,2024-06-30\r\n" +
            "3,\"line1\nline2\",,0.001,1e-07,2024-02-29 08:00:00+08,\r\n" +
            "4,,true,,,,2024-03-01\r\n" +
            "5,长春 新区,false,100,-2.5,2024-01-01 12:00:00+08,2024-12-31\r\n" +
            "6,\"cr\r\nlf\",true,1234567.891,1.2345678901234568e+20,2024-01-01 00:00:00+08,2024-01-02\r\n" +
            "7,\\.,false,0,0,2024-05-05 05:05:05.123456+08,2024-05-05\r\n";
        Assert.Equal(expected, text);
    }

    [Fact]
    public async Task The_copy_path_and_the_row_by_row_path_write_identical_csv()
    {
        var id = await RestFixtures.TrickyAsync(factory);
        // Unfiltered goes through COPY; a filter every row passes goes through the data reader.
        var copy = await (await Get($"/api/v1/datasets/{id}/download?format=csv&order=-amount")).Content.ReadAsByteArrayAsync();
        var reader = await (await Get($"/api/v1/datasets/{id}/download?format=csv&order=-amount&id[ge]=0")).Content.ReadAsByteArrayAsync();
        Assert.Equal(Encoding.UTF8.GetString(copy), Encoding.UTF8.GetString(reader));

        const string air = "/api/v1/datasets/air-quality-hourly/download?format=csv&select=station_name,observed_at,co,aqi,primary_pollutant&order=-observed_at,station_code";
        var airCopy = await (await Get(air)).Content.ReadAsByteArrayAsync();
        var airReader = await (await Get(air + "&station_code[null]=false")).Content.ReadAsByteArrayAsync();
        Assert.True(airCopy.AsSpan().SequenceEqual(airReader), "COPY and reader CSV differ for air-quality-hourly");
        var lines = Csv(airCopy).Split("\r\n");
        Assert.Equal(factory.Catalog.Current.Find("air-quality-hourly")!.Current!.RowCount + 2, lines.Length); // header + rows + final empty
    }

    [Fact]
    public async Task Json_and_json_lines_hold_the_same_rows_as_the_rows_endpoint()
    {
        var id = await RestFixtures.TrickyAsync(factory);
        using var rowsDoc = JsonDocument.Parse(await (await Get($"/api/v1/datasets/{id}/rows")).Content.ReadAsStringAsync());
        var rows = rowsDoc.RootElement.GetProperty("rows").EnumerateArray().Select(r => r.GetRawText()).ToList();

        var json = await Get($"/api/v1/datasets/{id}/download?format=json");
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        using var array = JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        Assert.Equal(rows, array.RootElement.EnumerateArray().Select(r => r.GetRawText()));

        var lines = (await (await Get($"/api/v1/datasets/{id}/download?format=jsonl")).Content.ReadAsStringAsync()).Split('\n');
        Assert.Equal("", lines[^1]);
        Assert.Equal(rows, lines[..^1]);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal(12.50m, first.GetProperty("amount").GetDecimal());
        Assert.Equal("2024-01-01T08:00:00+08:00", first.GetProperty("at").GetString());
    }

    [Fact]
    public async Task Xlsx_opens_with_miniexcel_and_has_every_row_with_typed_cells()
    {
        var id = await RestFixtures.TrickyAsync(factory);
        var response = await Get($"/api/v1/datasets/{id}/download?format=xlsx");
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType?.MediaType);
        using var stream = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        var rows = stream.Query(useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal(7, rows.Count);
        Assert.Equal(["id", "name", "flag", "amount", "ratio", "at", "day"], rows[0].Keys);
        Assert.Equal("a,b", rows[0]["name"]);
        Assert.Equal(12.5, Convert.ToDouble(rows[0]["amount"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("line1\nline2", rows[2]["name"]);
        Assert.Equal("长春 新区", rows[4]["name"]);
        Assert.Equal(new DateTime(2024, 1, 1, 8, 0, 0), Assert.IsType<DateTime>(rows[0]["at"]));
        Assert.Equal(new DateTime(2024, 12, 31), Assert.IsType<DateTime>(rows[4]["day"]));
        Assert.Equal(true, rows[0]["flag"]);
    }

    [Fact]
    public async Task Parquet_is_readable_with_parquet_net_and_keeps_types()
    {
        var id = await RestFixtures.TrickyAsync(factory);
        var response = await Get($"/api/v1/datasets/{id}/download?format=parquet");
        using var stream = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        await using var reader = await ParquetReader.CreateAsync(stream);
        var fields = reader.Schema.GetDataFields();
        Assert.Equal(["id", "name", "flag", "amount", "ratio", "at", "day"], fields.Select(f => f.Name));
        Assert.Equal(1, reader.RowGroupCount);
        using var group = reader.OpenRowGroupReader(0);
        Assert.Equal(7, group.RowCount);
        var ids = new int?[7];
        await group.ReadAsync<int>(fields[0], ids.AsMemory());
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], ids.Select(i => i!.Value));
        var names = new string?[7];
        await group.ReadAsync(fields[1], names.AsMemory());
        Assert.Equal("say \"hi\"", names[1]);
        Assert.Null(names[3]);
        var amounts = new decimal?[7];
        await group.ReadAsync<decimal>(fields[3], amounts.AsMemory());
        Assert.Equal(1234567.891m, amounts[5]);
        var at = new DateTime?[7];
        await group.ReadAsync<DateTime>(fields[5], at.AsMemory());
        Assert.Equal(new DateTime(2024, 1, 1, 0, 0, 0), at[0]!.Value);
    }

    [Fact]
    public async Task Parquet_of_the_whole_air_quality_dataset_comes_in_row_groups_of_50000()
    {
        var response = await Get("/api/v1/datasets/air-quality-hourly/download?format=parquet&select=station_code,observed_at,aqi,co");
        using var stream = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        await using var reader = await ParquetReader.CreateAsync(stream);
        var total = 0L;
        for (var i = 0; i < reader.RowGroupCount; i++)
        {
            using var group = reader.OpenRowGroupReader(i);
            Assert.True(group.RowCount <= 50_000);
            total += group.RowCount;
        }

        Assert.Equal(factory.Catalog.Current.Find("air-quality-hourly")!.Current!.RowCount, total);
        Assert.True(reader.RowGroupCount >= 5);
    }

    [Fact]
    public async Task GeoJson_is_a_feature_collection_of_points_for_bus_stops_and_refused_without_coordinates()
    {
        var response = await Get("/api/v1/datasets/bus-stops/download?format=geojson&select=stop_id,stop_name");
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("FeatureCollection", doc.RootElement.GetProperty("type").GetString());
        var features = doc.RootElement.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(factory.Catalog.Current.Find("bus-stops")!.Current!.RowCount, features.Count);
        var point = features[0].GetProperty("geometry");
        Assert.Equal("Point", point.GetProperty("type").GetString());
        var lon = point.GetProperty("coordinates")[0].GetDouble();
        var lat = point.GetProperty("coordinates")[1].GetDouble();
        Assert.InRange(lon, 120, 130);
        Assert.InRange(lat, 40, 50);
        Assert.Equal(lon, features[0].GetProperty("properties").GetProperty("longitude").GetDouble());
        Assert.True(features[0].GetProperty("properties").TryGetProperty("stop_name", out _));

        using var client = factory.CreateClient();
        var refused = await client.GetAsync("/api/v1/datasets/air-quality-hourly/download?format=geojson");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("\"parameter\":\"format\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_format_and_bad_filters_are_400_problems_before_any_file_starts()
    {
        using var client = factory.CreateClient();
        var format = await client.GetAsync("/api/v1/datasets/bus-stops/download?format=pdf");
        Assert.Equal(HttpStatusCode.BadRequest, format.StatusCode);
        Assert.Equal("application/problem+json", format.Content.Headers.ContentType?.MediaType);
        var filter = await client.GetAsync("/api/v1/datasets/bus-stops/download?format=csv&nope=1");
        Assert.Equal(HttpStatusCode.BadRequest, filter.StatusCode);
        Assert.Null(filter.Content.Headers.ContentDisposition);
        var zero = await client.GetAsync("/api/v1/datasets/bus-stops/download?format=csv&filter=route_count%20div%200%20eq%201");
        Assert.Equal(HttpStatusCode.BadRequest, zero.StatusCode);
    }

    [Fact]
    public async Task Conditional_downloads_are_403_and_not_open_downloads_404()
    {
        await Get("/api/v1/datasets/enterprise-energy-consumption/download?format=csv", HttpStatusCode.Forbidden);
        await Get("/api/v1/datasets/enterprise-tax-details/download?format=csv", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Downloads_have_no_row_cap_and_a_limit_is_honoured_when_given()
    {
        var id = await RestFixtures.PagingAsync(factory);
        var all = Csv(await (await Get($"/api/v1/datasets/{id}/download?format=csv")).Content.ReadAsByteArrayAsync());
        Assert.Equal(25_000 + 2, all.Split("\r\n").Length);
        var some = Csv(await (await Get($"/api/v1/datasets/{id}/download?format=csv&limit=10")).Content.ReadAsByteArrayAsync());
        Assert.Equal(10 + 2, some.Split("\r\n").Length);
    }

    [Fact]
    public async Task A_download_started_before_a_publish_returns_the_old_version_completely()
    {
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-snap"));
        var folder = TestDatasets.WriteCsvFolder(def, 40_000);
        var source = Path.Combine(folder, "data.csv");
        await RestFixtures.PublishAsync(factory, def, source);
        var expected = await (await Get($"/api/v1/datasets/{def.Identifier}/download?format=jsonl")).Content.ReadAsStringAsync();

        using var client = factory.CreateClient();
        using var response = await client.GetAsync($"/api/v1/datasets/{def.Identifier}/download?format=jsonl", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var head = new byte[4096];
        var got = await body.ReadAtLeastAsync(head, head.Length);

        TestDatasets.WriteCsv(source, 100, seed: 3);
        var second = await RestFixtures.PublishAsync(factory, def, source);
        Assert.Equal(2, second.Version);

        using var rest = new MemoryStream();
        rest.Write(head, 0, got);
        await body.CopyToAsync(rest);
        var text = Encoding.UTF8.GetString(rest.ToArray());
        Assert.Equal(expected, text);
        Assert.Equal(40_000, text.Count(c => c == '\n'));
        Assert.Contains("_v1.jsonl", response.Content.Headers.ContentDisposition!.FileName, StringComparison.Ordinal);
    }
}
