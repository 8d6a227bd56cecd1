using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DataOpen.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DataOpen.Api.Tests.Access;

/// <summary>Keys and roles for access tests, made through the public API like a real client would.</summary>
public static class AccessHelpers
{
    public static async Task<(string Key, string Id)> NewKeyAsync(WebApplicationFactory<Program> factory, string name = "Test holder", DateTimeOffset? expiresAt = null)
    {
        using var client = factory.CreateClient();
        var response = await client.PostAsJsonAsync("/api/v1/keys", new { name, organisation = "测试单位", email = "holder@example.org", intendedUse = "tests", expiresAt });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("key").GetString()!, body.GetProperty("id").GetString()!);
    }

    public static HttpClient ClientWithKey(WebApplicationFactory<Program> factory, string key)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    /// <summary>Changes a key's tier, role or publisher with the configured admin key.</summary>
    public static async Task UpdateKeyAsync(WebApplicationFactory<Program> factory, string keyId, object change)
    {
        using var admin = ClientWithKey(factory, DataOpenFactory.AdminKey);
        var response = await admin.PatchAsJsonAsync($"/api/v1/admin/keys/{keyId}", change);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public static async Task<(string Key, string Id)> NewStewardAsync(WebApplicationFactory<Program> factory, string publisher)
    {
        var (key, id) = await NewKeyAsync(factory, "Steward of " + publisher);
        await UpdateKeyAsync(factory, id, new { role = "steward", publisher });
        return (key, id);
    }

    public static object Application(string dataset, bool pledge = true, string? periodEnd = null, IReadOnlyList<string>? fields = null) => new
    {
        dataset,
        fields = fields ?? [],
        purpose = "能耗研究 (energy research)",
        scenario = "学术论文",
        periodStart = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        periodEnd = periodEnd ?? DateTime.UtcNow.AddDays(90).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        organisation = "测试大学",
        securityMeasures = "加密存储，专人访问",
        pledgeAccepted = pledge,
    };
}
