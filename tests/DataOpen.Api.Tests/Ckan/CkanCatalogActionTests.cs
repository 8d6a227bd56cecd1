using System.Net;
using System.Text;
using System.Text.Json;
using DataOpen.Api.Tests.Access;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.Ckan;

/// <summary>
/// Contract tests of the catalogue actions, each built from CKAN 2.11's source: the envelope and error mapping of
/// ckan/views/api.py, the result keys of model_dictize.package_dictize / resource_dictize / group_dictize, the
/// validators of ckan/logic/schema.py (default_package_search_schema, default_pagination_schema) and the parameter
/// check of ckan/lib/search/query.py (VALID_SOLR_PARAMETERS).
/// </summary>
[Collection(ApiTests.Name)]
public sealed class CkanCatalogActionTests(DataOpenFactory factory)
{
    private const string Open = "air-quality-hourly";
    private const string Conditional = "enterprise-energy-consumption";
    private const string NotOpen = "enterprise-tax-details";

    /// <summary>Keys of a package dictionary: package table columns plus what package_dictize adds.</summary>
    private static readonly string[] PackageKeys =
    [
        "author", "author_email", "creator_user_id", "extras", "groups", "id", "isopen", "license_id", "license_title", "maintainer", "maintainer_email",
        "metadata_created", "metadata_modified", "name", "notes", "num_resources", "num_tags", "organization", "owner_org", "private",
        "relationships_as_object", "relationships_as_subject", "resources", "state", "tags", "title", "type", "url", "version",
    ];

    private static readonly string[] ResourceKeys =
    [
        "cache_last_updated", "cache_url", "created", "datastore_active", "description", "format", "hash", "id", "last_modified", "metadata_modified",
        "mimetype", "mimetype_inner", "name", "package_id", "position", "resource_type", "size", "state", "url", "url_type",
    ];

    private static readonly string[] TagsFacet = ["tags"];

    internal static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    internal static void AssertError(JsonElement body, string type, string action)
    {
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal(type, body.GetProperty("error").GetProperty("__type").GetString());
        Assert.EndsWith("/api/3/action/help_show?name=" + action, body.GetProperty("help").GetString(), StringComparison.Ordinal);
        Assert.False(body.TryGetProperty("result", out _));
    }

    [Fact]
    public async Task Status_show_answers_in_CKANs_envelope_with_its_keys()
    {
        using var client = factory.CreateClient();
        var (status, body) = await GetAsync(client, "/api/3/action/status_show");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["help", "success", "result"], body.EnumerateObject().Select(p => p.Name));
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal("http://localhost/api/3/action/help_show?name=status_show", body.GetProperty("help").GetString());
        var result = body.GetProperty("result");
        Assert.Equal(["site_title", "site_description", "site_url", "error_emails_to", "locale_default", "extensions", "ckan_version"], result.EnumerateObject().Select(p => p.Name));
        Assert.StartsWith("2.11", result.GetProperty("ckan_version").GetString(), StringComparison.Ordinal);
        Assert.Contains("datastore", result.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));

        var (_, root) = await GetAsync(client, "/api/3");
        Assert.Equal(3, root.GetProperty("version").GetInt32());

        // help_show returns the action's documentation, as the help URL of every envelope promises.
        var (_, help) = await GetAsync(client, "/api/3/action/help_show?name=package_search");
        Assert.Contains(":param facet.field:", help.GetProperty("result").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Package_list_names_every_open_and_conditional_dataset_sorted_and_pages_with_limit_and_offset()
    {
        using var client = factory.CreateClient();
        var names = (await GetAsync(client, "/api/3/action/package_list")).Body.GetProperty("result").EnumerateArray().Select(e => e.GetString()!).ToList();
        var served = factory.Catalog.Current.Served.Select(d => d.Identifier).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(served, names);
        Assert.Contains(Conditional, names);
        Assert.DoesNotContain(NotOpen, names);

        var page = (await GetAsync(client, "/api/3/action/package_list?limit=2&offset=1")).Body.GetProperty("result").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(names.Skip(1).Take(2), page);

        // default_pagination_schema: natural_number_validator.
        var (status, bad) = await GetAsync(client, "/api/3/action/package_list?limit=-1");
        Assert.Equal(HttpStatusCode.Conflict, status);
        AssertError(bad, "Validation Error", "package_list");
        Assert.Equal("Must be a natural number", bad.GetProperty("error").GetProperty("limit")[0].GetString());
        var (_, notInt) = await GetAsync(client, "/api/3/action/package_list?offset=x");
        Assert.Equal("Invalid integer", notInt.GetProperty("error").GetProperty("offset")[0].GetString());
    }

    [Fact]
    public async Task Package_show_has_package_dictize_keys_the_chinese_catalogue_fields_as_extras_and_its_resources()
    {
        using var client = factory.CreateClient();
        var (status, body) = await GetAsync(client, $"/api/3/action/package_show?id={Open}");
        Assert.Equal(HttpStatusCode.OK, status);
        var pkg = body.GetProperty("result");
        Assert.Equal(PackageKeys.Append("license_url").Order(StringComparer.Ordinal), pkg.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var entry = factory.Catalog.Current.Find(Open)!;
        Assert.Equal(Open, pkg.GetProperty("name").GetString());
        Assert.Equal(entry.Metadata.Title.Zh, pkg.GetProperty("title").GetString());
        Assert.Equal(entry.Metadata.Description.Zh, pkg.GetProperty("notes").GetString());
        Assert.Equal("CC-BY-4.0", pkg.GetProperty("license_id").GetString());
        Assert.True(pkg.GetProperty("isopen").GetBoolean());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$", pkg.GetProperty("metadata_modified").GetString());
        Assert.True(Guid.TryParse(pkg.GetProperty("id").GetString(), out var id) && id.Version == 5);
        Assert.Equal("ecology-environment", pkg.GetProperty("organization").GetProperty("name").GetString());
        Assert.Equal(pkg.GetProperty("owner_org").GetString(), pkg.GetProperty("organization").GetProperty("id").GetString());
        Assert.Contains("domain-environment", pkg.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("name").GetString()));
        Assert.Contains("空气质量", pkg.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(pkg.GetProperty("tags").GetArrayLength(), pkg.GetProperty("num_tags").GetInt32());

        var extras = pkg.GetProperty("extras").EnumerateArray().ToDictionary(e => e.GetProperty("key").GetString()!, e => e.GetProperty("value").GetString());
        Assert.Equal(extras.Keys.Order(StringComparer.Ordinal), extras.Keys); // sorted by key, as extras_list_dictize sorts them
        Assert.Equal("unconditional", extras["open_class"]);
        Assert.Equal("PUBLIC", extras["access_rights"]);
        Assert.Equal("real-time", extras["update_frequency"]);
        Assert.Equal(entry.Metadata.Title.En, extras["title_en"]);
        Assert.Equal(entry.Metadata.Issued, extras["issued"]);
        Assert.Contains("environment", extras["theme_domain"], StringComparison.Ordinal);
        Assert.Contains("\"name\":\"station_code\"", extras["fields"], StringComparison.Ordinal);

        var resources = pkg.GetProperty("resources");
        Assert.Equal(resources.GetArrayLength(), pkg.GetProperty("num_resources").GetInt32());
        var csv = resources.EnumerateArray().Single(r => r.GetProperty("format").GetString() == "CSV");
        Assert.Equal(ResourceKeys.Append("version").Order(StringComparer.Ordinal), csv.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(pkg.GetProperty("id").GetString(), csv.GetProperty("package_id").GetString());
        Assert.True(csv.GetProperty("datastore_active").GetBoolean());
        using (var download = await client.GetAsync(new Uri(csv.GetProperty("url").GetString()!).PathAndQuery))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("text/csv", download.Content.Headers.ContentType?.MediaType);
        }

        // By id too; resource_show finds each resource by its id.
        var byId = (await GetAsync(client, $"/api/3/action/package_show?id={pkg.GetProperty("id").GetString()}")).Body.GetProperty("result");
        Assert.Equal(Open, byId.GetProperty("name").GetString());
        var (_, resource) = await GetAsync(client, $"/api/3/action/resource_show?id={csv.GetProperty("id").GetString()}");
        Assert.Equal(csv.GetRawText(), resource.GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task Not_open_and_unknown_packages_are_not_found_conditional_ones_are_shown_and_a_missing_id_is_a_validation_error()
    {
        using var client = factory.CreateClient();
        foreach (var id in new[] { NotOpen, "no-such-dataset" })
        {
            var (status, body) = await GetAsync(client, $"/api/3/action/package_show?id={id}");
            Assert.Equal(HttpStatusCode.NotFound, status);
            AssertError(body, "Not Found Error", "package_show");
            Assert.Equal("Not found", body.GetProperty("error").GetProperty("message").GetString());
        }

        var conditional = (await GetAsync(client, $"/api/3/action/package_show?id={Conditional}")).Body.GetProperty("result");
        var extras = conditional.GetProperty("extras").EnumerateArray().ToDictionary(e => e.GetProperty("key").GetString()!, e => e.GetProperty("value").GetString());
        Assert.Equal("conditional", extras["open_class"]);
        Assert.Equal("RESTRICTED", extras["access_rights"]);
        Assert.False(string.IsNullOrEmpty(extras["open_conditions"]));

        var (missing, error) = await GetAsync(client, "/api/3/action/package_show");
        Assert.Equal(HttpStatusCode.Conflict, missing);
        AssertError(error, "Validation Error", "package_show");
        Assert.Equal("Missing value", error.GetProperty("error").GetProperty("name_or_id")[0].GetString());
        var (resourceStatus, resourceError) = await GetAsync(client, "/api/3/action/resource_show?id=nope");
        Assert.Equal(HttpStatusCode.NotFound, resourceStatus);
        AssertError(resourceError, "Not Found Error", "resource_show");
    }

    [Fact]
    public async Task Organizations_groups_and_tags_list_and_show_as_CKAN_does()
    {
        using var client = factory.CreateClient();
        var snapshot = factory.Catalog.Current;
        var orgs = (await GetAsync(client, "/api/3/action/organization_list?sort=name%20asc")).Body.GetProperty("result").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(snapshot.Publishers.Select(p => p.Id).Order(StringComparer.Ordinal), orgs);
        var all = (await GetAsync(client, "/api/3/action/organization_list?all_fields=true&sort=package_count")).Body.GetProperty("result");
        var counts = all.EnumerateArray().Select(o => o.GetProperty("package_count").GetInt32()).ToList();
        Assert.Equal(counts.OrderDescending(), counts);
        Assert.All(all.EnumerateArray(), o => Assert.True(o.GetProperty("is_organization").GetBoolean()));

        var (_, org) = await GetAsync(client, "/api/3/action/organization_show?id=ecology-environment&include_datasets=true");
        var result = org.GetProperty("result");
        var expected = snapshot.Served.Count(d => d.Metadata.Publisher == "ecology-environment");
        Assert.Equal(expected, result.GetProperty("package_count").GetInt32());
        Assert.Equal(Math.Min(10, expected), result.GetProperty("packages").GetArrayLength());
        Assert.Equal(0, result.GetProperty("num_followers").GetInt32());
        var (orgStatus, missing) = await GetAsync(client, "/api/3/action/organization_show?id=nobody");
        Assert.Equal(HttpStatusCode.NotFound, orgStatus);
        AssertError(missing, "Not Found Error", "organization_show");

        var groups = (await GetAsync(client, "/api/3/action/group_list?sort=name")).Body.GetProperty("result").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("domain-environment", groups);
        Assert.Equal(snapshot.Themes.Count, groups.Count);
        var group = (await GetAsync(client, "/api/3/action/group_show?id=domain-environment")).Body.GetProperty("result");
        Assert.False(group.GetProperty("is_organization").GetBoolean());
        Assert.Equal(snapshot.Served.Count(d => d.Metadata.Themes.TryGetValue("domain", out var c) && c.Contains("environment")), group.GetProperty("package_count").GetInt32());
        var (sortStatus, badSort) = await GetAsync(client, "/api/3/action/group_list?sort=created");
        Assert.Equal(HttpStatusCode.Conflict, sortStatus);
        Assert.Equal("Cannot sort by field `created`", badSort.GetProperty("error").GetProperty("message").GetString());

        var tags = (await GetAsync(client, "/api/3/action/tag_list")).Body.GetProperty("result").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains("空气质量", tags);
        var servedKeywords = snapshot.Served.SelectMany(d => d.Metadata.Keywords.Zh.Concat(d.Metadata.Keywords.En ?? [])).ToHashSet(StringComparer.Ordinal);
        Assert.All(tags, t => Assert.Contains(t, servedKeywords));
        Assert.Equal(servedKeywords.Order(StringComparer.Ordinal), tags);
        var filtered = (await GetAsync(client, "/api/3/action/tag_list?query=空气&all_fields=true")).Body.GetProperty("result");
        Assert.All(filtered.EnumerateArray(), t => Assert.Contains("空气", t.GetProperty("name").GetString(), StringComparison.Ordinal));
        var (vocabStatus, vocab) = await GetAsync(client, "/api/3/action/tag_list?vocabulary_id=Topics");
        Assert.Equal(HttpStatusCode.NotFound, vocabStatus);
        AssertError(vocab, "Not Found Error", "tag_list");
    }

    [Fact]
    public async Task Unknown_actions_and_the_SQL_action_are_CKANs_400_and_bad_JSON_is_a_JSON_error()
    {
        using var client = factory.CreateClient();
        foreach (var url in new[] { "/api/3/action/datastore_search_sql?sql=SELECT%201", "/api/action/package_create", "/api/3/action/nope" })
        {
            using var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(JsonValueKind.String, body.ValueKind);
            Assert.Equal("Bad request - Action name not known: " + url.Split('/').Last().Split('?')[0], body.GetString());
        }

        using var post = await client.PostAsync("/api/3/action/package_show", new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.StartsWith("Bad request - JSON Error: Error decoding JSON data.", JsonDocument.Parse(await post.Content.ReadAsStringAsync()).RootElement.GetString(), StringComparison.Ordinal);
        using var list = await client.PostAsync("/api/3/action/package_show", new StringContent("[1]", Encoding.UTF8, "application/json"));
        Assert.Contains("needs to be a dictionary", JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ckanapi_style_client_posts_JSON_to_the_unversioned_URL_with_the_raw_key_and_gets_CKANs_exceptions()
    {
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        var ckan = new CkanClient(factory.CreateClient(), key);
        var pkg = await ckan.CallActionAsync("package_show", new { id = Open });
        Assert.Equal(Open, pkg.GetProperty("name").GetString());
        var search = await ckan.CallActionAsync("package_search", new Dictionary<string, object> { ["fq"] = "organization:ecology-environment", ["rows"] = 2, ["facet.field"] = TagsFacet });
        Assert.True(search.GetProperty("count").GetInt32() >= 1);
        var notFound = await Assert.ThrowsAsync<CkanApiException>(() => ckan.CallActionAsync("package_show", new { id = NotOpen }));
        Assert.Equal(("Not Found Error", HttpStatusCode.NotFound), (notFound.Type, notFound.Status));
        var invalid = await Assert.ThrowsAsync<CkanApiException>(() => ckan.CallActionAsync("package_search", new { rows = "many" }));
        Assert.Equal("Validation Error", invalid.Type);

        // The key is the caller's: a revoked one is refused as on every door (401, not an envelope).
        using (var holder = AccessHelpers.ClientWithKey(factory, key))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await holder.DeleteAsync("/api/v1/keys/me")).StatusCode);
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => ckan.CallActionAsync("status_show"));
        Assert.Contains("401", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_JSONP_callback_wraps_a_GET_answer_and_is_served_as_anonymous()
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/api/3/action/package_list?limit=1&callback=cb");
        Assert.Equal("application/javascript", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("cb({\"help\":", text, StringComparison.Ordinal);
        Assert.EndsWith("});", text, StringComparison.Ordinal);
        using var escaped = await client.GetAsync("/api/3/action/status_show?callback=%3Cscript%3E");
        Assert.StartsWith("&lt;script&gt;(", await escaped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
