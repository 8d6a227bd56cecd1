using DataOpen.Api.Rows;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.OData;

public static class ODataSetup
{
    public static IServiceCollection AddODataFeeds(this IServiceCollection services)
    {
        services.AddOptions<ODataOptions>().BindConfiguration(ODataOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ODataModelProvider>();
        services.AddSingleton<Infrastructure.IOutageWriter, ODataOutageWriter>();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<ODataOptions>>().Value;
            return new PageReadAhead(
                sp.GetRequiredService<QueryRunner>(),
                new PageReadAhead.Limits(o.ReadAheadRows, TimeSpan.FromSeconds(o.ReadAheadSeconds), Math.Max(2, Environment.ProcessorCount)),
                sp.GetRequiredService<ILogger<PageReadAhead>>());
        });
        return services;
    }
}
