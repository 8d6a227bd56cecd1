using System.Net;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.OData;

[Collection(ApiTests.Name)]
public sealed class ODataErrorTests(DataOpenFactory factory)
{
    [Theory]
    [InlineData("$filter=nope eq 1", "unknown_property", "$filter")]
    [InlineData("$select=nope", "unknown_property", "$select")]
    [InlineData("$orderby=nope", "unknown_property", "$orderby")]
    [InlineData("$filter=aqi eq 'high'", "type_mismatch", "$filter")]
    [InlineData("$filter=contains(aqi, 'x')", "type_mismatch", "$filter")]
    [InlineData("$filter=round(co) eq 1", "unsupported", "$filter")]
    [InlineData("$filter=aqi eq", "bad_syntax", "$filter")]
    [InlineData("$filter=(aqi eq 1", "bad_syntax", "$filter")]
    [InlineData("$top=-1", "bad_syntax", "$top")]
    [InlineData("$top=2000000", "limit_exceeded", "$top")]
    [InlineData("$skip=5000000", "limit_exceeded", "$skip")]
    [InlineData("$expand=station", "unsupported", "$expand")]
    [InlineData("$search=park", "unsupported", "$search")]
    [InlineData("$orderby=aqi add 1", "unsupported", "$orderby")]
    [InlineData("$skiptoken=garbage", "bad_skiptoken", "$skiptoken")]
    [InlineData("$skiptoken=1.c.eyJoIjoieHgiLCJrIjpbMV19", "bad_skiptoken", "$skiptoken")]
    [InlineData("$filter=aqi div 0 eq 1", "bad_value", "$filter")]
    [InlineData("$apply=groupby((station_code),aggregate(aqi with sum as s))/filter(s gt 1)", "unsupported", "$apply")]
    [InlineData("$apply=groupby((station_code),aggregate(aqi with sum as s))&$filter=s gt 1", "unsupported", "$filter")]
    [InlineData("$apply=groupby((station_code),aggregate(aqi with sum as s))&$select=station_code", "unsupported", "$select")]
    [InlineData("$apply=aggregate(station_name with sum as s)", "type_mismatch", "$apply")]
    [InlineData("$apply=groupby((nope))", "unknown_property", "$apply")]
    [InlineData("$format=xml", "unsupported", "$format")]
    [InlineData("$format=application/json;odata.metadata=lots", "unsupported", "$format")]
    [InlineData("$filter=@p eq 1&@p=1", "unsupported", "$filter")]
    [InlineData("$filter=$it eq $it", "unsupported", "$filter")]
    public async Task Bad_queries_get_a_400_OData_error_naming_the_option(string query, string code, string target)
    {
        using var client = factory.CreateClient();
        var error = await client.GetErrorAsync("/odata/AirQualityHourly?" + string.Join('&', query.Split('&').Select(Encode)), HttpStatusCode.BadRequest, code);
        Assert.Equal(target, error.GetProperty("target").GetString());
    }

    private static string Encode(string pair)
    {
        var eq = pair.IndexOf('=', StringComparison.Ordinal);
        return pair[..(eq + 1)] + Uri.EscapeDataString(pair[(eq + 1)..]);
    }

    [Fact]
    public async Task Unknown_sets_and_not_open_datasets_are_404()
    {
        using var client = factory.CreateClient();
        await client.GetErrorAsync("/odata/NoSuchSet", HttpStatusCode.NotFound, "not_found");
        await client.GetErrorAsync("/odata/EnterpriseTaxDetails", HttpStatusCode.NotFound, "not_found");
        await client.GetErrorAsync("/odata/EnterpriseTaxDetails/$count", HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Conditional_rows_without_a_grant_are_403_with_directions_to_apply()
    {
        using var client = factory.CreateClient();
        var error = await client.GetErrorAsync("/odata/EnterpriseEnergyConsumption?$top=1", HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("有条件开放", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        await client.GetErrorAsync("/odata/EnterpriseEnergyConsumption/$count", HttpStatusCode.Forbidden, "forbidden");
        await client.GetErrorAsync("/odata/EnterpriseEnergyConsumption(credit_code='91220113778815200L',year=2023)", HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Property_paths_are_declined_clearly()
    {
        using var client = factory.CreateClient();
        await client.GetErrorAsync("/odata/AirQualityHourly(station_code='XQ001',observed_at=2023-01-01T00:00:00Z)/aqi", HttpStatusCode.BadRequest, "unsupported");
    }

    [Theory]
    [InlineData("$filter=" + "%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28%28aqi%20eq%201")]
    [InlineData("$filter=aqi%20eq%2099999999999999999999999")]
    [InlineData("$filter=substring(station_name,%20-5)%20eq%20%27x%27")]
    [InlineData("$filter=substring(station_name,%200,%20-1)%20eq%20%27x%27")]
    [InlineData("$filter=aqi%20mod%200%20eq%201")]
    [InlineData("$filter=observed_at%20gt%202024-13-45T00:00:00Z")]
    [InlineData("$filter=aqi%20in%20()")]
    [InlineData("$top=abc")]
    [InlineData("$count=maybe")]
    [InlineData("$orderby=aqi%20sideways")]
    [InlineData("$select=aqi,,")]
    [InlineData("$apply=groupby(")]
    [InlineData("$apply=aggregate(aqi%20with%20median%20as%20m)")]
    [InlineData("$apply=compute(aqi%20add%201%20as%20x)")]
    [InlineData("$deltatoken=x")]
    [InlineData("$unknownoption=1")]
    public async Task Odd_inputs_are_client_errors_never_500(string query)
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/odata/AirQualityHourly?" + query);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is >= 400 and < 500 || response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {body}");
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Assert.Contains("\"error\"", body, StringComparison.Ordinal);
        }
    }
}
