namespace DataOpen.Api.Harvest;

public static class HarvestSetup
{
    /// <summary>The harvest door (DCAT-AP, SKOS, Data Packages). It has no services: it renders the catalog snapshot per request.</summary>
    public static IEndpointRouteBuilder MapHarvest(this IEndpointRouteBuilder app) => HarvestEndpoints.Map(app);
}
