using System.Net.Http.Json;
using System.Text.Json;
using DataOpen.Api.Access;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace DataOpen.Api.Pages;

/// <summary>The outcome of a call to this service's own REST API: status, JSON body, and the problem detail when refused.</summary>
public sealed record SelfApiResult(int Status, JsonElement Body)
{
    public bool Ok => Status is >= 200 and < 300;

    /// <summary>The RFC 9457 <c>detail</c> (or title) of a refusal, for showing on the page.</summary>
    public string? Problem => Ok ? null
        : Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()
        : Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()
        : $"HTTP {Status}";

    public string? String(string property) =>
        Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>
/// Lets a no-JavaScript HTML form use a JSON endpoint of this service (API keys, applications): the
/// page posts the form to itself and forwards it here over the loopback address the server listens
/// on, so the REST endpoint stays the one place that validates and stores. The visitor's address (as
/// resolved for the page, through any trusted proxy) is passed on in X-Forwarded-For with this process's
/// <see cref="SelfCallToken"/>, so the endpoint's limits and logs see the visitor, not the loopback address.
/// </summary>
public sealed class SelfApi(IServer server, IHttpClientFactory clients, ClientIp clientIp, SelfCallToken token)
{
    public const string ClientName = "dataopen-self";

    public async Task<SelfApiResult> PostJsonAsync(HttpContext http, string path, object body, string? apiKey, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(BaseAddress(http), path)) { Content = JsonContent.Create(body) };
        if (!string.IsNullOrWhiteSpace(apiKey))
        {
            request.Headers.Add("X-Api-Key", apiKey.Trim());
        }

        if (http.Connection.RemoteIpAddress is not null)
        {
            request.Headers.Add("X-Forwarded-For", clientIp.Resolve(http));
            request.Headers.Add(SelfCallToken.Header, token.Value);
        }

        using var client = clients.CreateClient(ClientName);
        using var response = await client.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonElement json;
        try
        {
            json = string.IsNullOrWhiteSpace(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            json = JsonSerializer.SerializeToElement(new { detail = text.Length > 300 ? text[..300] : text });
        }

        return new SelfApiResult((int)response.StatusCode, json);
    }

    private Uri BaseAddress(HttpContext http)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.FirstOrDefault();
        if (address is null)
        {
            return new Uri($"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/");
        }

        // Wildcard bindings (http://+:8080, http://[::]:8080) are reached on the loopback address.
        var uri = new UriBuilder(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::")
        {
            uri.Host = "localhost";
        }

        uri.Path = http.Request.PathBase.Value + "/";
        return uri.Uri;
    }
}
