using DataOpen.Api.Catalog;
using DataOpen.Api.Quality;
using Microsoft.AspNetCore.Mvc;

namespace DataOpen.Api.Pages.Community;

/// <summary>The quality report of the dataset's current version on its page.</summary>
public sealed class DatasetQualityViewComponent(CatalogStore catalog, QualityService quality) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync(string dataset) =>
        catalog.Current.FindServed(dataset) is { Current: not null } d
            ? View(await quality.FindAsync(d, d.Current.Version, HttpContext.RequestAborted))
            : Content("");
}
