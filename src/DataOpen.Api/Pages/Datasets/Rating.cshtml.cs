using DataOpen.Api.Catalog;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DataOpen.Api.Pages.Datasets;

/// <summary>
/// The rating form of a dataset page, forwarded to POST /api/v1/datasets/{id}/ratings as the visitor (or with their key), so it works
/// without JavaScript and under the same limits; then back to the page (post/redirect/get) with the outcome.
/// </summary>
public sealed class RatingModel(CatalogStore catalog, SelfApi api, Ui ui) : PageModel
{
    public const string MessageKey = "community.message";
    public const string FailedKey = "community.failed";

    [BindProperty]
    public int? Stars { get; set; }

    [BindProperty]
    public string? Comment { get; set; }

    [BindProperty]
    public string? ApiKey { get; set; }

    public IActionResult OnGet(string id) => catalog.Current.FindServed(id) is null ? NotFound() : Redirect($"/datasets/{Uri.EscapeDataString(id)}#ratings");

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken ct)
    {
        if (catalog.Current.FindServed(id) is null)
        {
            return NotFound();
        }

        var result = await api.PostJsonAsync(HttpContext, $"api/v1/datasets/{Uri.EscapeDataString(id)}/ratings", new { stars = Stars, comment = Comment }, ApiKey, ct);
        TempData[FailedKey] = !result.Ok;
        TempData[MessageKey] = result.Ok ? ui["rating.thanks"] : ui.Format("rating.failed", result.Problem);
        return Redirect($"/datasets/{Uri.EscapeDataString(id)}#ratings");
    }
}
