using System.Net;
using System.Text.Json;
using DataOpen.Api.Tests.GraphQL;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.Indexing;

/// <summary>
/// Rows by key through every door on the sample catalog (its datasets declare their natural keys): REST rows/{key}
/// (one field and composite), OData key segments on the declared key (RowId stays a property), GraphQL ByKey and
/// ByRowId — the same row each time, a clear error for a malformed key, nothing (404 / null) for a missing one.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class RowByKeyTests(DataOpenFactory factory)
{
    private const string AirKey = "XQ001,2023-01-01T00:00:00+08:00";

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task Rest_rows_by_a_single_and_a_composite_key()
    {
        using var client = factory.CreateClient();
        var stop = await JsonAsync(await client.GetAsync("/api/v1/datasets/bus-stops/rows/BS0001"), HttpStatusCode.OK);
        Assert.Equal("[\"stop_id\"]", stop.GetProperty("key").GetRawText());
        Assert.Equal("BS0001", stop.GetProperty("row").GetProperty("stop_id").GetString());
        Assert.Equal("飞跃大街创新路口", stop.GetProperty("row").GetProperty("stop_name").GetString());

        var air = await JsonAsync(await client.GetAsync("/api/v1/datasets/air-quality-hourly/rows/" + Uri.EscapeDataString(AirKey) + "?select=station_code,aqi"), HttpStatusCode.OK);
        Assert.Equal("[\"station_code\",\"observed_at\"]", air.GetProperty("key").GetRawText());
        Assert.Equal(95, air.GetProperty("row").GetProperty("aqi").GetInt32());
        Assert.Equal(2, air.GetProperty("row").EnumerateObject().Count());

        // Missing: 404 naming the key; a wrong number of values or a value of the wrong type: 400 in the path.
        var missing = await JsonAsync(await client.GetAsync("/api/v1/datasets/bus-stops/rows/BS9999"), HttpStatusCode.NotFound);
        Assert.Contains("stop_id = BS9999", missing.GetProperty("detail").GetString());
        var short1 = await JsonAsync(await client.GetAsync("/api/v1/datasets/air-quality-hourly/rows/XQ001"), HttpStatusCode.BadRequest);
        Assert.Equal("key", short1.GetProperty("parameter").GetString());
        Assert.Equal("path", short1.GetProperty("in").GetString());
        Assert.Contains("station_code, observed_at", short1.GetProperty("detail").GetString());
        var badTime = await JsonAsync(await client.GetAsync("/api/v1/datasets/air-quality-hourly/rows/XQ001,yesterday"), HttpStatusCode.BadRequest);
        Assert.Equal("bad_key", badTime.GetProperty("code").GetString());

        // Only select and version are taken; a field condition here is refused, not ignored.
        var unknown = await JsonAsync(await client.GetAsync("/api/v1/datasets/bus-stops/rows/BS0001?district=x"), HttpStatusCode.BadRequest);
        Assert.Equal("district", unknown.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task OData_keys_are_the_declared_key_composite_included()
    {
        using var client = factory.CreateClient();
        var metadata = await (await client.GetAsync("/odata/$metadata")).Content.ReadAsStringAsync();
        var air = metadata[metadata.IndexOf("<EntityType Name=\"AirQualityHourly\"", StringComparison.Ordinal)..];
        air = air[..air.IndexOf("</EntityType>", StringComparison.Ordinal)];
        Assert.Contains("<Key><PropertyRef Name=\"station_code\" /><PropertyRef Name=\"observed_at\" /></Key>", air);
        Assert.Contains("<Property Name=\"RowId\" Type=\"Edm.Int64\" Nullable=\"false\"", air);

        var stop = await JsonAsync(await client.GetAsync("/odata/BusStops('BS0001')"), HttpStatusCode.OK);
        Assert.Equal("飞跃大街创新路口", stop.GetProperty("stop_name").GetString());
        Assert.True(stop.GetProperty("RowId").GetInt64() > 0);

        var entity = await JsonAsync(await client.GetAsync("/odata/AirQualityHourly(station_code='XQ001',observed_at=2023-01-01T00:00:00%2B08:00)?$format=application/json;odata.metadata=full"), HttpStatusCode.OK);
        Assert.Equal(95, entity.GetProperty("aqi").GetInt32());
        var id = entity.GetProperty("@odata.id").GetString()!;
        Assert.True(id.Contains("AirQualityHourly(station_code=%27XQ001%27,observed_at=2022-12-31T16%3A00%3A00Z)", StringComparison.Ordinal), id);

        // The id it wrote reads the same entity back.
        var again = await JsonAsync(await client.GetAsync(new Uri(id).PathAndQuery), HttpStatusCode.OK);
        Assert.Equal(95, again.GetProperty("aqi").GetInt32());

        var missing = await client.GetAsync("/odata/BusStops('BS9999')");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var rowIdKey = await client.GetAsync("/odata/BusStops(1)");
        Assert.Equal(HttpStatusCode.BadRequest, rowIdKey.StatusCode);
    }

    [Fact]
    public async Task GraphQL_by_key_and_by_row_id()
    {
        using var client = factory.CreateClient();
        var data = await client.QueryAsync(
            """
            {
              stop: busStopsByKey(stop_id: "BS0001") { stop_id stop_name rowId }
              air: airQualityHourlyByKey(station_code: "XQ001", observed_at: "2023-01-01T00:00:00+08:00") { aqi station_name }
              none: busStopsByKey(stop_id: "BS9999") { stop_id }
            }
            """);
        Assert.Equal("飞跃大街创新路口", data.GetProperty("stop").GetProperty("stop_name").GetString());
        Assert.Equal(95, data.GetProperty("air").GetProperty("aqi").GetInt32());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("none").ValueKind);

        var rowId = data.GetProperty("stop").GetProperty("rowId").GetString();
        var byRow = await client.QueryAsync($"{{ busStopsByRowId(rowId: \"{rowId}\") {{ stop_id }} }}");
        Assert.Equal("BS0001", byRow.GetProperty("busStopsByRowId").GetProperty("stop_id").GetString());

        var bad = await client.PostAsync("{ airQualityHourlyByKey(station_code: \"XQ001\") { aqi } }");
        Assert.True(bad.HasErrors, bad.ToString());
    }
}
