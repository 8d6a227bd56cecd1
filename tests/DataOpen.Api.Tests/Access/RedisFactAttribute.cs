using DataOpen.Testing;

namespace DataOpen.Api.Tests.Access;

/// <summary>A fact that needs redis-server: skipped with the reason when it is absent outside CI.</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (RedisServer.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
