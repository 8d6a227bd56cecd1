using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DataOpen.Api.Tests.Access;
using DataOpen.Api.Tests.Infrastructure;
using static DataOpen.Api.Tests.Ckan.CkanCatalogActionTests;

namespace DataOpen.Api.Tests.Ckan;

/// <summary>
/// package_search (get.py package_search, lib/search/query.py run) and datastore_search (ckanext/datastore:
/// logic/schema.py datastore_search_schema, backend/postgres.py validate, search_data and _insert_links).
/// </summary>
[Collection(ApiTests.Name)]
public sealed class CkanSearchAndDatastoreTests(DataOpenFactory factory)
{
    private const string Air = "air-quality-hourly";

    private static readonly string[] TwoStations = ["XQ001", "XQ002"];

    private static readonly string[] StationField = ["station_code"];

    private static List<string> Names(JsonElement result) => result.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("name").GetString()!).ToList();

    [Fact]
    public async Task Package_search_filters_with_fq_pages_with_rows_and_start_and_counts_facets()
    {
        using var client = factory.CreateClient();
        var served = factory.Catalog.Current.Served.ToList();
        var (status, body) = await GetAsync(client, "/api/3/action/package_search?rows=1000");
        Assert.Equal(HttpStatusCode.OK, status);
        var all = body.GetProperty("result");
        Assert.Equal(["count", "facets", "results", "sort", "search_facets"], all.EnumerateObject().Select(p => p.Name));
        Assert.Equal(served.Count, all.GetProperty("count").GetInt32());
        Assert.Equal("score desc, metadata_modified desc", all.GetProperty("sort").GetString());
        // Without q every score is equal: newest first.
        Assert.Equal(served.OrderByDescending(d => d.Modified).ThenBy(d => d.Identifier, StringComparer.Ordinal).Select(d => d.Identifier), Names(all));

        var env = (await GetAsync(client, "/api/3/action/package_search?fq=organization:ecology-environment&rows=1000")).Body.GetProperty("result");
        Assert.Equal(served.Where(d => d.Metadata.Publisher == "ecology-environment").Select(d => d.Identifier).Order(StringComparer.Ordinal), Names(env).Order(StringComparer.Ordinal));
        var tagged = (await GetAsync(client, "/api/3/action/package_search?fq=tags:%22air%20quality%22%20%2Bres_format:CSV")).Body.GetProperty("result");
        Assert.Equal([Air], Names(tagged));
        var negated = (await GetAsync(client, "/api/3/action/package_search?fq=-groups:domain-environment&rows=1000")).Body.GetProperty("result");
        Assert.DoesNotContain(Air, Names(negated));
        Assert.Equal(served.Count(d => !(d.Metadata.Themes.TryGetValue("domain", out var c) && c.Contains("environment"))), negated.GetProperty("count").GetInt32());
        var since = (await GetAsync(client, "/api/3/action/package_search?fq=metadata_modified:[NOW-1DAY%20TO%20*]&rows=1000")).Body.GetProperty("result");
        Assert.Equal(served.Count(d => d.Modified >= DateTimeOffset.UtcNow.AddDays(-1)), since.GetProperty("count").GetInt32());
        var none = (await GetAsync(client, "/api/3/action/package_search?fq=metadata_modified:[*%20TO%202000-01-01T00:00:00Z]")).Body.GetProperty("result");
        Assert.Equal(0, none.GetProperty("count").GetInt32());

        var page = (await GetAsync(client, "/api/3/action/package_search?sort=name%20asc&rows=2&start=1")).Body.GetProperty("result");
        Assert.Equal(served.Select(d => d.Identifier).Order(StringComparer.Ordinal).Skip(1).Take(2), Names(page));
        Assert.Equal(served.Count, page.GetProperty("count").GetInt32());

        var faceted = (await GetAsync(client, "/api/3/action/package_search?rows=0&facet.field=%5B%22organization%22,%22res_format%22,%22tags%22%5D&facet.limit=3")).Body.GetProperty("result");
        Assert.Empty(faceted.GetProperty("results").EnumerateArray());
        var orgFacet = faceted.GetProperty("facets").GetProperty("organization");
        foreach (var p in orgFacet.EnumerateObject())
        {
            Assert.Equal(served.Count(d => d.Metadata.Publisher == p.Name), p.Value.GetInt32());
        }

        Assert.Equal(served.Count, faceted.GetProperty("facets").GetProperty("res_format").GetProperty("CSV").GetInt32());
        Assert.True(faceted.GetProperty("facets").GetProperty("tags").EnumerateObject().Count() <= 3);
        var items = faceted.GetProperty("search_facets").GetProperty("organization").GetProperty("items").EnumerateArray().ToList();
        Assert.Equal("organization", faceted.GetProperty("search_facets").GetProperty("organization").GetProperty("title").GetString());
        var displayNames = items.Select(i => i.GetProperty("display_name").GetString()!).ToList();
        Assert.Equal(displayNames.OrderDescending(StringComparer.Ordinal), displayNames);
        Assert.All(items, i => Assert.Equal(factory.Catalog.Current.PublishersById[i.GetProperty("name").GetString()!].NameZh, i.GetProperty("display_name").GetString()));
        Assert.Equal(3, items.Count);
    }

    [Fact]
    public async Task Package_search_q_is_the_catalogue_full_text_search_or_field_syntax()
    {
        using var client = factory.CreateClient();
        var text = (await GetAsync(client, "/api/3/action/package_search?q=空气")).Body.GetProperty("result");
        Assert.Equal(Air, Names(text)[0]);
        var fielded = (await GetAsync(client, "/api/3/action/package_search?q=name:air*")).Body.GetProperty("result");
        Assert.Equal([Air], Names(fielded));
        var nothing = (await GetAsync(client, "/api/3/action/package_search?q=zzzzzzqqqq")).Body.GetProperty("result");
        Assert.Equal(0, nothing.GetProperty("count").GetInt32());
        var fl = (await GetAsync(client, "/api/3/action/package_search?q=name:air*&fl=name,title")).Body.GetProperty("result");
        Assert.Equal(["name", "title"], fl.GetProperty("results")[0].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Package_search_refuses_what_CKAN_refuses_with_CKANs_error_types()
    {
        using var client = factory.CreateClient();
        var (status, unknown) = await GetAsync(client, "/api/3/action/package_search?q=air&rowz=5");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(unknown, "Search Query Error", "package_search");
        Assert.Equal("Search Query is invalid: (\"Invalid search parameters: ['rowz']\",)", unknown.GetProperty("error").GetProperty("message").GetString());
        // Solr tuning parameters and ext_* are accepted, as CKAN accepts them.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/api/3/action/package_search?q=air&defType=edismax&ext_bbox=1,2,3,4&include_private=true")).Status);

        var (rowsStatus, rows) = await GetAsync(client, "/api/3/action/package_search?rows=ten");
        Assert.Equal(HttpStatusCode.Conflict, rowsStatus);
        AssertError(rows, "Validation Error", "package_search");
        Assert.Equal("Invalid integer", rows.GetProperty("error").GetProperty("rows")[0].GetString());
        var (_, facet) = await GetAsync(client, "/api/3/action/package_search?facet.field=tags");
        Assert.Equal("Could not parse as valid JSON", facet.GetProperty("error").GetProperty("facet.field")[0].GetString());
        var (sortStatus, sort) = await GetAsync(client, "/api/3/action/package_search?sort=name%20sideways");
        Assert.Equal(HttpStatusCode.BadRequest, sortStatus);
        Assert.Contains("Invalid \\\"sort\\\" parameter", sort.GetProperty("error").GetProperty("message").GetString()!.Replace("\"", "\\\"", StringComparison.Ordinal), StringComparison.Ordinal);
        var (fieldStatus, field) = await GetAsync(client, "/api/3/action/package_search?fq=colour:blue");
        Assert.Equal(HttpStatusCode.Conflict, fieldStatus);
        AssertError(field, "Search Error", "package_search");
        Assert.Contains("undefined field colour", field.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        // rows above the maximum are cut to it, as limit_to_configured_maximum does.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/api/3/action/package_search?rows=5000")).Status);
    }

    [Fact]
    public async Task Datastore_search_serves_rows_through_the_row_engine_with_CKANs_result_keys()
    {
        using var client = factory.CreateClient();
        var (status, body) = await GetAsync(client, $"/api/3/action/datastore_search?resource_id={Air}&limit=3");
        Assert.Equal(HttpStatusCode.OK, status);
        var result = body.GetProperty("result");
        Assert.Equal(["include_total", "limit", "records_format", "resource_id", "total_estimation_threshold", "records", "fields", "_links", "total", "total_was_estimated"],
            result.EnumerateObject().Select(p => p.Name));
        var version = factory.Catalog.Current.Find(Air)!.Current!;
        Assert.Equal(version.RowCount, result.GetProperty("total").GetInt64());
        Assert.Equal(3, result.GetProperty("records").GetArrayLength());
        var fields = result.GetProperty("fields").EnumerateArray().ToList();
        Assert.Equal(["_id", .. version.Shape.Fields.Select(f => f.Name)], fields.Select(f => f.GetProperty("id").GetString()));
        Assert.Equal("int", fields[0].GetProperty("type").GetString());
        Assert.Equal("timestamp", fields.Single(f => f.GetProperty("id").GetString() == "observed_at").GetProperty("type").GetString());
        Assert.Equal(version.Shape.Fields[0].TitleZh, fields[1].GetProperty("info").GetProperty("label").GetString());
        var first = result.GetProperty("records")[0];
        Assert.Equal(1, first.GetProperty("_id").GetInt64());
        Assert.Equal($"/api/3/action/datastore_search?resource_id={Air}&limit=3&offset=3", result.GetProperty("_links").GetProperty("next").GetString());

        // The same rows as REST rows with the same filter, order and page (one engine).
        var ckan = (await GetAsync(client, $"/api/3/action/datastore_search?resource_id={Air}&filters=%7B%22station_code%22:%22XQ001%22%7D&sort=aqi%20desc&limit=5&offset=2&fields=station_code,aqi")).Body.GetProperty("result");
        var rest = await client.GetFromJsonAsync<JsonElement>($"/api/v1/datasets/{Air}/rows?station_code=XQ001&order=-aqi&limit=5&offset=2&select=station_code,aqi&count=exact");
        Assert.Equal(rest.GetProperty("rows").GetRawText(), ckan.GetProperty("records").GetRawText());
        Assert.Equal(rest.GetProperty("count").GetInt64(), ckan.GetProperty("total").GetInt64());
        Assert.Equal(["station_code", "aqi"], ckan.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("id").GetString()));

        // A resource id from package_show, POSTed as ckanapi does, with IN filters and lists.
        var resource = (await GetAsync(client, $"/api/3/action/package_show?id={Air}")).Body.GetProperty("result").GetProperty("resources")[0].GetProperty("id").GetString();
        using var post = await client.PostAsJsonAsync("/api/3/action/datastore_search", new Dictionary<string, object>
        {
            ["resource_id"] = resource!, ["filters"] = new { station_code = TwoStations }, ["records_format"] = "lists", ["fields"] = StationField, ["limit"] = 4, ["include_total"] = false,
        });
        var lists = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("result");
        Assert.All(lists.GetProperty("records").EnumerateArray(), r => Assert.Contains(r[0].GetString(), TwoStations));
        Assert.False(lists.TryGetProperty("total", out _));

        var q = (await GetAsync(client, $"/api/3/action/datastore_search?resource_id={Air}&q=XQ003&limit=2&fields=station_code")).Body.GetProperty("result");
        Assert.All(q.GetProperty("records").EnumerateArray(), r => Assert.Equal("XQ003", r.GetProperty("station_code").GetString()));
    }

    [Fact]
    public async Task Datastore_search_refuses_unknown_parameters_fields_and_sorts_with_CKANs_validation_errors()
    {
        using var client = factory.CreateClient();
        async Task<JsonElement> Invalid(string query)
        {
            var (status, body) = await GetAsync(client, "/api/3/action/datastore_search?" + query);
            Assert.True(status == HttpStatusCode.Conflict, $"{query}: {(int)status} {body}");
            AssertError(body, "Validation Error", "datastore_search");
            return body.GetProperty("error");
        }

        Assert.Equal("invalid value \"colour\"", (await Invalid($"resource_id={Air}&colour=blue")).GetProperty("__extras")[0].GetString());
        Assert.Equal("invalid value \"nope\"", (await Invalid($"resource_id={Air}&filters=%7B%22nope%22:1%7D")).GetProperty("filters")[0].GetString());
        Assert.Equal("invalid value \"nope desc\"", (await Invalid($"resource_id={Air}&sort=nope%20desc")).GetProperty("sort")[0].GetString());
        Assert.Equal("invalid value \"nope\"", (await Invalid($"resource_id={Air}&fields=aqi,nope")).GetProperty("fields")[0].GetString());
        Assert.Equal("Missing value", (await Invalid("limit=1")).GetProperty("resource_id")[0].GetString());
        Assert.Equal("Cannot parse JSON", (await Invalid($"resource_id={Air}&filters=%7Bx")).GetProperty("filters")[0].GetString());

        var (status, missing) = await GetAsync(client, "/api/3/action/datastore_search?resource_id=enterprise-tax-details");
        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertError(missing, "Not Found Error", "datastore_search");
        Assert.Equal("Not found: Resource \"enterprise-tax-details\" was not found.", missing.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Conditional_rows_need_a_grant_on_the_CKAN_door_too_and_are_audited()
    {
        const string conditional = "enterprise-energy-consumption";
        using var anonymous = factory.CreateClient();
        var (status, refused) = await GetAsync(anonymous, $"/api/3/action/datastore_search?resource_id={conditional}&limit=1");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        AssertError(refused, "Authorization Error", "datastore_search");
        Assert.StartsWith("Access denied: ", refused.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        var (stewardKey, _) = await AccessHelpers.NewStewardAsync(factory, factory.Catalog.Current.Find(conditional)!.Metadata.Publisher);
        using (var applicant = AccessHelpers.ClientWithKey(factory, key))
        using (var steward = AccessHelpers.ClientWithKey(factory, stewardKey))
        {
            var application = await (await applicant.PostAsJsonAsync("/api/v1/applications", AccessHelpers.Application(conditional))).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.OK, (await steward.PostAsJsonAsync($"/api/v1/steward/applications/{application.GetProperty("id").GetInt64()}/approve", new { })).StatusCode);
        }

        // The raw key in Authorization, as CKAN clients send it.
        using var granted = factory.CreateClient();
        granted.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", key);
        var (okStatus, ok) = await GetAsync(granted, $"/api/3/action/datastore_search?resource_id={conditional}&limit=2");
        Assert.Equal(HttpStatusCode.OK, okStatus);
        Assert.Equal(2, ok.GetProperty("result").GetProperty("records").GetArrayLength());
        // JSONP calls are made without the key: refused again.
        using var jsonp = await granted.GetAsync($"/api/3/action/datastore_search?resource_id={conditional}&limit=2&callback=f");
        Assert.Equal(HttpStatusCode.Forbidden, jsonp.StatusCode);

        await using var cmd = factory.Database.Writer.CreateCommand("SELECT sum(rows) FROM audit.access_log WHERE key_public_id = $1 AND dataset = $2 AND door = 'ckan'");
        cmd.Parameters.Add(new() { Value = key.Substring(4, 8) });
        cmd.Parameters.Add(new() { Value = conditional });
        Assert.Equal(2L, Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }
}
