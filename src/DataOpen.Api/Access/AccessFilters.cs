using DataOpen.Api.Infrastructure;

namespace DataOpen.Api.Access;

/// <summary>Role checks at group level: 401 without a key, 403 with a key of the wrong role.</summary>
public static class AccessFilters
{
    public static async ValueTask<object?> KeyHolder(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var caller = context.HttpContext.GetCaller();
        if (caller.KeyId is null)
        {
            return caller.IsAdmin
                ? Problems.Forbidden("no-key-record", "The configured DataOpen:AdminKey has no key record: create a key with POST /api/v1/keys for this endpoint.")
                : Problems.Unauthorized("This endpoint needs an API key in X-Api-Key, Authorization: Bearer, or the api_key query parameter. Get one with POST /api/v1/keys.");
        }

        return await next(context);
    }

    public static async ValueTask<object?> Steward(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var caller = context.HttpContext.GetCaller();
        if (caller.IsAnonymous)
        {
            return Problems.Unauthorized("Steward endpoints need a steward's or administrator's API key in X-Api-Key or Authorization: Bearer.");
        }

        if (!caller.IsAdmin && caller.Role != Roles.Steward)
        {
            return Problems.Forbidden("forbidden", $"The key {caller.Actor} is not a steward's or administrator's key.");
        }

        return await next(context);
    }

    public static async ValueTask<object?> Admin(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var caller = context.HttpContext.GetCaller();
        if (caller.IsAnonymous)
        {
            return Problems.Unauthorized("Admin endpoints need an administrator's API key in X-Api-Key or Authorization: Bearer.");
        }

        if (!caller.IsAdmin)
        {
            return Problems.Forbidden("forbidden", $"The key {caller.Actor} is not an administrator's key.");
        }

        return await next(context);
    }
}
