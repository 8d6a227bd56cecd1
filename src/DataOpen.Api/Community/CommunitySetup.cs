namespace DataOpen.Api.Community;

public static class CommunitySetup
{
    /// <summary>Reuses (应用成果) and ratings (开放评价).</summary>
    public static IServiceCollection AddCommunity(this IServiceCollection services)
    {
        services.AddSingleton<ReuseStore>();
        services.AddSingleton<RatingStore>();
        return services;
    }
}
