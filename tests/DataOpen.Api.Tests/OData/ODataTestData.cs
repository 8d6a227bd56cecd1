using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DataOpen.Api.OData;
using DataOpen.Api.Publishing;
using DataOpen.Api.Tests.Infrastructure;
using DataOpen.Core.Catalog;
using Microsoft.Extensions.DependencyInjection;

namespace DataOpen.Api.Tests.OData;

/// <summary>A small dataset with known values (TestDatasets' id, station, value, day), published once per factory for read-only OData tests.</summary>
public static class ODataTestData
{
    public const int SmallRows = 500;

    private static readonly ConcurrentDictionary<DataOpenFactory, Lazy<Task<string>>> Small = new();

    /// <summary>The entity set name of the shared small dataset.</summary>
    public static Task<string> SmallSetAsync(DataOpenFactory factory) =>
        Small.GetOrAdd(factory, f => new Lazy<Task<string>>(() => PublishAsync(f, "t-odata", SmallRows))).Value;

    public static async Task<string> PublishAsync(DataOpenFactory factory, string prefix, int rows, string openClass = "unconditional")
    {
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier(prefix), openClass: openClass);
        var folder = TestDatasets.WriteCsvFolder(def, rows);
        var result = await factory.Services.GetRequiredService<DatasetPublisher>().PublishAsync(def, Path.Combine(folder, "data.csv"), "test", null, CancellationToken.None);
        Assert.Equal(PublishStatus.Published, result.Status);
        return ODataModel.EntitySetName(def.Identifier);
    }

    /// <summary>Values TestDatasets.WriteCsv writes for row <paramref name="i"/> (1-based, = RowId).</summary>
    public static (int Id, string Station, decimal Value, DateOnly Day) Row(int i, int seed = 1) =>
        (i, "站点" + (i * seed % 17), i * 7919L * seed % 100000 / 100m, new DateOnly(2024, 1, 1).AddDays(i % 365));

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{url}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The OData error object of a refused request, checking status and error code.</summary>
    public static async Task<JsonElement> GetErrorAsync(this HttpClient client, string url, HttpStatusCode status, string code)
    {
        var body = await client.GetJsonAsync(url, status);
        var error = body.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(JsonValueKind.Array, error.GetProperty("details").ValueKind);
        return error;
    }

    public static IReadOnlyList<JsonElement> Values(this JsonElement body) => body.GetProperty("value").EnumerateArray().ToList();

    public static Task<HttpResponseMessage> GetWithAsync(this HttpClient client, string url, string header, string value)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation(header, value);
        return client.SendAsync(request);
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
}
