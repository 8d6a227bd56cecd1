using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.GraphQL;

/// <summary>GraphQL-over-HTTP: media types, methods, status codes and the error shape.</summary>
[Collection(ApiTests.Name)]
public sealed class GraphQLTransportTests(DataOpenFactory factory)
{
    [Fact]
    public async Task Post_answers_in_graphql_response_json_when_accepted_and_in_json_otherwise()
    {
        using var client = factory.CreateClient();
        var modern = await client.PostAsync("{ publishers { id } }");
        Assert.Equal(HttpStatusCode.OK, modern.Status);
        Assert.Equal(Gql.GraphQLResponse, modern.ContentType);
        Assert.True(modern.Data.GetProperty("publishers").GetArrayLength() > 0);

        var legacy = await client.PostAsync("{ publishers { id } }", accept: "application/json");
        Assert.Equal(HttpStatusCode.OK, legacy.Status);
        Assert.Equal("application/json", legacy.ContentType);

        var wildcard = await client.PostAsync("{ publishers { id } }", accept: "*/*");
        Assert.Equal("application/json", wildcard.ContentType);
    }

    [Fact]
    public async Task Syntax_and_validation_errors_are_400_with_graphql_response_json_and_200_with_json()
    {
        using var client = factory.CreateClient();
        var syntax = await client.PostAsync("{ publishers { id }");
        Assert.Equal(HttpStatusCode.BadRequest, syntax.Status);
        Assert.False(syntax.Body.TryGetProperty("data", out _));
        var error = syntax.FirstError;
        Assert.True(error.GetProperty("locations")[0].GetProperty("line").GetInt32() >= 1);
        Assert.False(string.IsNullOrEmpty(syntax.FirstCode));

        var unknown = await client.PostAsync("{ publishers { nope } }");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Contains("nope", unknown.FirstError.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, unknown.FirstError.GetProperty("locations")[0].GetProperty("line").GetInt32());
        Assert.Equal(16, unknown.FirstError.GetProperty("locations")[0].GetProperty("column").GetInt32());
        Assert.NotNull(unknown.FirstCode);

        var legacy = await client.PostAsync("{ publishers { nope } }", accept: "application/json");
        Assert.Equal(HttpStatusCode.OK, legacy.Status);
        Assert.True(legacy.HasErrors);
    }

    [Fact]
    public async Task Get_runs_queries_with_variables_and_operation_name()
    {
        using var client = factory.CreateClient();
        var r = await client.GetAsync(
            "query A($id: String!) { dataset(id: $id) { id } } query B { publishers { id } }",
            new { id = "bus-stops" }, "A");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.Equal("bus-stops", r.Data.GetProperty("dataset").GetProperty("id").GetString());
    }

    [Fact]
    public async Task Mutations_over_get_are_405_with_allow_post()
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/graphql?query=" + Uri.EscapeDataString("mutation { publishers { id } }"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("POST", response.Content.Headers.Allow);
        Assert.Contains("use POST", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Over POST the same document is executed and fails validation: this schema has no mutations.
        var post = await client.PostAsync("mutation { publishers { id } }");
        Assert.Equal(HttpStatusCode.BadRequest, post.Status);
    }

    [Fact]
    public async Task Malformed_requests_get_4xx_in_the_errors_shape()
    {
        using var client = factory.CreateClient();
        async Task<GqlResponse> Raw(string body, string contentType = "application/json")
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = new StringContent(body, Encoding.UTF8) };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            request.Headers.Accept.ParseAdd(Gql.GraphQLResponse);
            return await Gql.SendAsync(client, request);
        }

        var notJson = await Raw("{ query: ");
        Assert.Equal(HttpStatusCode.BadRequest, notJson.Status);
        Assert.Equal("BAD_REQUEST", notJson.FirstCode);

        Assert.Equal(HttpStatusCode.BadRequest, (await Raw("""{"variables": {}}""")).Status);
        Assert.Contains("Batched", (await Raw("""[{"query": "{ publishers { id } }"}]""")).FirstError.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await Raw("""{"query": "{ publishers { id } }", "variables": [1]}""")).Status);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await Raw("{ publishers { id } }", "text/plain")).Status);

        var badVariable = await client.PostAsync("query($n: Int!) { airQualityHourly(first: $n) { nodes { aqi } } }", new { n = "many" });
        Assert.Equal(HttpStatusCode.BadRequest, badVariable.Status);
        Assert.Contains("$n", badVariable.FirstError.GetProperty("message").GetString(), StringComparison.Ordinal);

        using var empty = new HttpRequestMessage(HttpMethod.Get, "/graphql");
        empty.Headers.Accept.ParseAdd("application/json");
        Assert.Equal(HttpStatusCode.BadRequest, (await Gql.SendAsync(client, empty)).Status);

        using var xml = new HttpRequestMessage(HttpMethod.Get, "/graphql?query=%7B__typename%7D");
        xml.Headers.Accept.ParseAdd("text/xml");
        using var notAcceptable = await client.SendAsync(xml);
        Assert.Equal(HttpStatusCode.NotAcceptable, notAcceptable.StatusCode);

        using var put = await client.PutAsync("/graphql", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);
    }

    [Fact]
    public async Task Browsers_get_the_GraphiQL_page_with_assets_served_locally()
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/graphql");
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        using var page = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("//unpkg", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("cdn", html, StringComparison.OrdinalIgnoreCase);
        var assets = System.Text.RegularExpressions.Regex.Matches(html, "(?:src|href)=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Contains(assets, a => a.EndsWith(".js", StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            Assert.StartsWith("graphql/ide/", asset, StringComparison.Ordinal);
            using var response = await client.GetAsync("/" + asset);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 100, asset);
        }

        var js = await client.GetStringAsync("/" + assets.First(a => a.EndsWith(".js", StringComparison.Ordinal)));
        Assert.DoesNotContain("https://unpkg.com", js, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/graphql/ide/..%2Fappsettings.json")).StatusCode);
    }
}
