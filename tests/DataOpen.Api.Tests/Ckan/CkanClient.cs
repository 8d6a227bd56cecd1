using System.Net;
using System.Text;
using System.Text.Json;

namespace DataOpen.Api.Tests.Ckan;

/// <summary>An action's error as ckanapi raises it (ckanapi/common.py reverse_apicontroller_action maps __type to an exception).</summary>
public sealed class CkanApiException(string type, HttpStatusCode status, JsonElement error) : Exception($"{type} ({(int)status}): {error}")
{
    public string Type { get; } = type;

    public HttpStatusCode Status { get; } = status;

    public JsonElement Error { get; } = error;
}

/// <summary>
/// What the ckanapi client (RemoteCKAN.call_action) does: POST the data dictionary as JSON to
/// <c>api/action/{name}</c>, the key raw in both <c>X-CKAN-API-Key</c> and <c>Authorization</c>, then return
/// <c>result</c> when <c>success</c> is true, or raise by <c>error.__type</c>. A body that is not CKAN's envelope is
/// ckanapi's ServerIncompatibleError / CKANAPIError, here an exception naming status and body.
/// </summary>
public sealed class CkanClient(HttpClient http, string? apiKey = null)
{
    public async Task<JsonElement> CallActionAsync(string action, object? dataDict = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/action/" + action)
        {
            Content = new StringContent(JsonSerializer.Serialize(dataDict ?? new { }), Encoding.ASCII, "application/json"),
        };
        request.Headers.UserAgent.ParseAdd("ckanapi/4.8 (+https://github.com/open-data/ckanapi)");
        if (apiKey is not null)
        {
            request.Headers.TryAddWithoutValidation("X-CKAN-API-Key", apiKey);
            request.Headers.TryAddWithoutValidation("Authorization", apiKey);
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        JsonElement parsed;
        try
        {
            parsed = JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new InvalidOperationException($"CKANAPIError: {(int)response.StatusCode} {body}");
        }

        if (parsed.ValueKind == JsonValueKind.Object && parsed.TryGetProperty("success", out var success) && success.GetBoolean())
        {
            return parsed.GetProperty("result");
        }

        if (parsed.ValueKind != JsonValueKind.Object || !parsed.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException($"ServerIncompatibleError: {(int)response.StatusCode} {body}");
        }

        throw new CkanApiException(error.GetProperty("__type").GetString()!, response.StatusCode, error);
    }
}
