namespace DataOpen.Api.Rows;

public static class RowsSetup
{
    /// <summary>The row engine every door shares: running a compiled <see cref="Core.Query.RowQuery"/> on the reader role.</summary>
    public static IServiceCollection AddRowEngine(this IServiceCollection services)
    {
        services.AddSingleton<QueryRunner>();
        return services;
    }
}
