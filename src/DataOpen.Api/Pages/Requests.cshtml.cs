using DataOpen.Api.Catalog;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DataOpen.Api.Pages;

public sealed class RequestInput
{
    public string? Title { get; set; }

    public string? Description { get; set; }

    public string? Publisher { get; set; }

    public string? Purpose { get; set; }

    public string? Contact { get; set; }
}

/// <summary>Public data requests: anyone asks for a dataset to be opened; stewards answer; public answers are listed.</summary>
public sealed class RequestsModel(CatalogStore catalog, FeedbackStore store, Ui ui) : PageModel
{
    [BindProperty]
    public RequestInput Input { get; set; } = new();

    public IReadOnlyList<DataRequest> Published { get; private set; } = [];

    public CatalogSnapshot Snapshot { get; private set; } = CatalogSnapshot.Empty;

    public string? Message { get; private set; }

    public bool Failed { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Snapshot = catalog.Current;
        var title = Input.Title?.Trim() ?? "";
        var description = Input.Description?.Trim() ?? "";
        var publisher = string.IsNullOrWhiteSpace(Input.Publisher) ? null : Input.Publisher.Trim();
        var errors = new List<string>();
        if (title.Length is < 2 or > FeedbackStore.MaxTitle)
        {
            errors.Add(ui.Format("requests.badTitle", 2, FeedbackStore.MaxTitle));
        }

        if (description.Length is < 5 or > FeedbackStore.MaxMessage)
        {
            errors.Add(ui.Format("requests.badDescription", 5, FeedbackStore.MaxMessage));
        }

        if (publisher is not null && !Snapshot.PublishersById.ContainsKey(publisher))
        {
            errors.Add(ui.Format("requests.badPublisher", publisher));
        }

        if (Input.Purpose is { Length: > FeedbackStore.MaxMessage } || Input.Contact is { Length: > FeedbackStore.MaxContact })
        {
            errors.Add(ui.Format("requests.tooLong", FeedbackStore.MaxContact));
        }

        if (errors.Count > 0)
        {
            Failed = true;
            Message = string.Join(" ", errors);
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        else
        {
            var id = await store.AddRequestAsync(title, description, publisher,
                string.IsNullOrWhiteSpace(Input.Purpose) ? null : Input.Purpose.Trim(),
                string.IsNullOrWhiteSpace(Input.Contact) ? null : Input.Contact.Trim(), ct);
            Message = ui.Format("requests.thanks", id);
            Input = new RequestInput();
        }

        ModelState.Clear();
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Snapshot = catalog.Current;
        Published = await store.PublicRequestsAsync(ct);
    }
}
