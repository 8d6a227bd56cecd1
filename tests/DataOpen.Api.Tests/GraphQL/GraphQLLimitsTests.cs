using System.Net;
using DataOpen.Api.GraphQL;
using DataOpen.Api.Publishing;
using DataOpen.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DataOpen.Api.Tests.GraphQL;

[Collection(ApiTests.Name)]
public sealed class GraphQLLimitsTests(DataOpenFactory factory)
{
    [Fact]
    public async Task Queries_deeper_than_the_maximum_depth_are_rejected_before_execution()
    {
        using var client = factory.CreateClient();
        var deep = "{ __type(name: \"Dataset\") { fields { type " + string.Concat(Enumerable.Repeat("{ ofType ", 16)) + "{ name }" + new string('}', 16) + " } } }";
        var r = await client.PostAsync(deep);
        Assert.Equal(HttpStatusCode.BadRequest, r.Status);
        Assert.Contains("depth", r.FirstError.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_complexity_budget_charges_page_sizes()
    {
        using var client = factory.CreateClient();
        const string fields = "station_code station_name observed_at aqi pm2_5 pm10 so2 no2 co o3 primary_pollutant quality_level";
        var four = string.Concat(Enumerable.Range(1, 4).Select(i => $"a{i}: airQualityHourly(first: 1000) {{ nodes {{ {fields} }} }} "));
        var r = await client.PostAsync("{ " + four + "}");
        Assert.Equal(HttpStatusCode.BadRequest, r.Status);
        Assert.Contains("complexity", r.FirstError.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);

        // The same selection with small pages is well within budget.
        var small = string.Concat(Enumerable.Range(1, 4).Select(i => $"a{i}: airQualityHourly(first: 10) {{ nodes {{ {fields} }} }} "));
        var ok = await client.PostAsync("{ " + small + "}");
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.False(ok.HasErrors, ok.ToString());
    }

    [Fact]
    public async Task Listing_datasets_with_publisher_themes_and_fields_runs_no_SQL_per_dataset()
    {
        using var counter = new SqlStatementCounter();
        using var client = factory.CreateClient();
        var headers = new Dictionary<string, string> { ["traceparent"] = counter.TraceParent };
        const string listing = "{ datasets(first: 100) { nodes { id publisher { name { zh } } themes { code label { zh } } fields { name title { zh } } versions { version fields { name } } } } }";

        var r = await client.PostAsync(listing, headers: headers);
        Assert.False(r.HasErrors, r.ToString());
        Assert.True(r.Data.GetProperty("datasets").GetProperty("nodes").GetArrayLength() >= 10);
        Assert.Empty(counter.Statements);

        // Searching ranks in one statement, whatever the number of hits.
        counter.Reset();
        r = await client.PostAsync(listing.Replace("first: 100", "first: 100, search: \"数据\"", StringComparison.Ordinal), headers: headers);
        Assert.False(r.HasErrors, r.ToString());
        Assert.Single(counter.Statements);

        // Rows: one statement per page; the count only when totalCount is selected.
        counter.Reset();
        r = await client.PostAsync("{ busStops(first: 50) { nodes { stop_id } edges { cursor } pageInfo { endCursor } } }", headers: headers);
        Assert.False(r.HasErrors, r.ToString());
        Assert.Single(counter.Statements);
        counter.Reset();
        r = await client.PostAsync("{ busStops(first: 50) { totalCount nodes { stop_id } } }", headers: headers);
        Assert.False(r.HasErrors, r.ToString());
        Assert.Equal(2, counter.Statements.Count);
        Assert.Contains(counter.Statements, s => s.Contains("count(*)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Schema_follows_publishing_and_retiring_while_a_held_schema_stays_unchanged()
    {
        var provider = factory.Services.GetRequiredService<GraphQLSchemaProvider>();
        var publisher = factory.Services.GetRequiredService<DatasetPublisher>();
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var id = TestDatasets.NewIdentifier("t-gql");
        var def = TestDatasets.Definition(id);
        var folder = TestDatasets.WriteCsvFolder(def, 120);
        var before = provider.Current;

        var published = await publisher.PublishAsync(def, Path.Combine(folder, "data.csv"), "test", null, CancellationToken.None);
        Assert.Equal(PublishStatus.Published, published.Status);
        var after = await provider.WaitForCatalogVersionAsync(factory.Catalog.Current.CatalogVersion, TimeSpan.FromSeconds(30));
        var names = after.RowFields[id];
        Assert.NotSame(before.Schema, after.Schema);
        Assert.Null(before.Schema.Query.GetField(names.Rows));
        Assert.NotNull(after.Schema.Query.GetField(names.Rows));

        using var client = factory.CreateClient();
        var data = await client.QueryAsync($"{{ {names.Rows}(orderBy: [{{ field: id, direction: DESC }}], first: 2) {{ totalCount nodes {{ id station value day }} }} }}");
        Assert.Equal(120, data.GetProperty(names.Rows).GetProperty("totalCount").GetInt32());
        Assert.Equal(120, data.GetProperty(names.Rows).GetProperty("nodes")[0].GetProperty("id").GetInt32());

        Assert.True(await publisher.RetireAsync(id, "test", CancellationToken.None));
        var retired = await provider.WaitForCatalogVersionAsync(factory.Catalog.Current.CatalogVersion, TimeSpan.FromSeconds(30));
        Assert.False(retired.RowFields.ContainsKey(id));
        var gone = await client.PostAsync($"{{ {names.Rows}(first: 1) {{ totalCount }} }}");
        Assert.Equal(HttpStatusCode.BadRequest, gone.Status);
        // The schema held before the retirement still has the field: a request in flight keeps its schema.
        Assert.NotNull(after.Schema.Query.GetField(names.Rows));
    }
}
