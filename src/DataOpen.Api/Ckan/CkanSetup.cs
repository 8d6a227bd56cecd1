namespace DataOpen.Api.Ckan;

public static class CkanSetup
{
    /// <summary>The CKAN door's services: package_search over the catalogue search, datastore_search over the row engine.</summary>
    public static IServiceCollection AddCkan(this IServiceCollection services)
    {
        services.AddSingleton<CkanSearch>();
        services.AddSingleton<CkanDatastore>();
        return services;
    }
}
