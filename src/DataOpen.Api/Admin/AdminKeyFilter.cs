using System.Security.Cryptography;
using System.Text;
using DataOpen.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.Admin;

/// <summary>
/// Guards admin endpoints with the administrator key from configuration (DataOpen__AdminKey), sent as
/// <c>X-Api-Key</c> or <c>Authorization: Bearer</c>: none → 401, a wrong key → 403, both problem+json.
/// </summary>
public sealed class AdminKeyFilter(IOptions<DataOpenOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var presented = PresentedKey(context.HttpContext.Request);
        if (presented is null)
        {
            return Problems.Unauthorized("Admin endpoints need the administrator key in X-Api-Key or Authorization: Bearer.");
        }

        var configured = options.Value.AdminKey;
        if (string.IsNullOrEmpty(configured) || !FixedTimeEquals(presented, configured))
        {
            return Problems.Forbidden("forbidden", string.IsNullOrEmpty(configured)
                ? "Admin endpoints are disabled: no administrator key is configured (DataOpen__AdminKey)."
                : "The key presented is not the administrator key.");
        }

        return await next(context);
    }

    public static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-Api-Key", out var header) && !string.IsNullOrWhiteSpace(header))
        {
            return header.ToString().Trim();
        }

        var auth = request.Headers.Authorization.ToString();
        return auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth[7..].Trim() : null;
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));
}
