using DataOpen.Api.Catalog;
using DataOpen.Api.Community;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DataOpen.Api.Pages;

/// <summary>The reuse submission form (fields of POST /api/v1/reuses).</summary>
public sealed class ReuseInput
{
    public string? Title { get; set; }

    public string? Description { get; set; }

    public string? Kind { get; set; }

    public string? Url { get; set; }

    public string? ImageUrl { get; set; }

    public List<string> Datasets { get; set; } = [];

    public string? Submitter { get; set; }

    public string? Contact { get; set; }

    public string? ApiKey { get; set; }
}

/// <summary>Reuses (应用成果): what people built with the open data, filterable by kind and dataset, and the form to submit one.</summary>
public sealed class ReusesModel(CatalogStore catalog, ReuseStore store, SelfApi api, Ui ui) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)]
    public string? Kind { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Dataset { get; set; }

    [BindProperty]
    public ReuseInput Input { get; set; } = new();

    public IReadOnlyList<Reuse> Reuses { get; private set; } = [];

    public IReadOnlyList<DatasetEntry> Choices { get; private set; } = [];

    public string? Message { get; private set; }

    public bool Failed { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (Dataset is not null && Input.Datasets.Count == 0)
        {
            Input.Datasets.Add(Dataset);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var body = new
        {
            title = Input.Title, description = Input.Description, kind = Input.Kind, url = Input.Url,
            imageUrl = string.IsNullOrWhiteSpace(Input.ImageUrl) ? null : Input.ImageUrl, datasets = Input.Datasets, submitter = Input.Submitter, contact = Input.Contact,
        };
        var result = await api.PostJsonAsync(HttpContext, "api/v1/reuses", body, Input.ApiKey, ct);
        Failed = !result.Ok;
        Message = result.Ok ? ui["reuse.thanks"] : ui.Format("reuse.failed", result.Problem);
        if (result.Ok)
        {
            Input = new ReuseInput();
        }
        else
        {
            Response.StatusCode = result.Status is >= 400 and < 500 ? result.Status : StatusCodes.Status503ServiceUnavailable;
        }

        ModelState.Clear();
        Kind = null;
        Dataset = null;
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var snapshot = catalog.Current;
        Choices = snapshot.Served.OrderBy(d => d.Metadata.Title.Zh, StringComparer.Ordinal).ToList();
        var kind = Kind is not null && ReuseKinds.All.Contains(Kind) ? Kind : null;
        var dataset = Dataset is not null && snapshot.FindServed(Dataset) is not null ? Dataset : null;
        Reuses = (await store.PublishedAsync(dataset, kind, null, PageSize, ct))
            .Select(r => r.ServedIn(snapshot)).ToList();
    }
}
