using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace DataOpen.Api.Tests.GraphQL;

public sealed record GqlResponse(HttpStatusCode Status, string? ContentType, JsonElement Body)
{
    public JsonElement Data => Body.GetProperty("data");

    public bool HasErrors => Body.TryGetProperty("errors", out var e) && e.GetArrayLength() > 0;

    public JsonElement FirstError => Body.GetProperty("errors")[0];

    public string? FirstCode => HasErrors && FirstError.TryGetProperty("extensions", out var x) && x.TryGetProperty("code", out var c) ? c.GetString() : null;

    public override string ToString() => $"{(int)Status} {ContentType} {Body}";
}

/// <summary>Sends GraphQL requests over HTTP exactly as a client would.</summary>
public static class Gql
{
    public const string GraphQLResponse = "application/graphql-response+json";

    public static async Task<GqlResponse> PostAsync(this HttpClient client, string query, object? variables = null, string? operationName = null, string accept = GraphQLResponse, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { query, variables, operationName }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd(accept);
        foreach (var (k, v) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(k, v);
        }

        return await SendAsync(client, request);
    }

    public static async Task<GqlResponse> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonElement body;
        try
        {
            body = JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new InvalidOperationException($"Not JSON ({(int)response.StatusCode}): {text}");
        }

        return new GqlResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
    }

    public static async Task<GqlResponse> GetAsync(this HttpClient client, string query, object? variables = null, string? operationName = null, string accept = GraphQLResponse)
    {
        var url = "/graphql?query=" + Uri.EscapeDataString(query);
        if (variables is not null)
        {
            url += "&variables=" + Uri.EscapeDataString(JsonSerializer.Serialize(variables));
        }

        if (operationName is not null)
        {
            url += "&operationName=" + Uri.EscapeDataString(operationName);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(accept));
        return await SendAsync(client, request);
    }

    /// <summary>Posts and requires a 200 without errors.</summary>
    public static async Task<JsonElement> QueryAsync(this HttpClient client, string query, object? variables = null)
    {
        var r = await client.PostAsync(query, variables);
        Assert.True(r.Status == HttpStatusCode.OK && !r.HasErrors, r.ToString());
        return r.Data;
    }
}
