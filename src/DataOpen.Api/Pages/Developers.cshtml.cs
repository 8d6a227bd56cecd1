using System.Text.Json;
using DataOpen.Api.Infrastructure;
using DataOpen.Core.Catalog;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.Pages;

public sealed record TierSeed(string Id, Localized Name, Localized Description, int RatePerSecond, int Burst, long DailyQuota, bool RequiresKey);

public sealed class KeyInput
{
    public string? Name { get; set; }

    public string? Organisation { get; set; }

    public string? IntendedUse { get; set; }

    public string? Email { get; set; }
}

/// <summary>Developer portal: get an API key (shown once), tiers and limits, links to Swagger, GraphQL IDE, OData, quick-start examples.</summary>
public sealed class DevelopersModel(IOptions<DataOpenOptions> options, SelfApi api, Ui ui) : PageModel
{
    [BindProperty]
    public KeyInput Input { get; set; } = new();

    public IReadOnlyList<TierSeed> Tiers { get; private set; } = [];

    public string BaseUrl { get; private set; } = "";

    /// <summary>The new key, shown on this response only: the service keeps just its hash.</summary>
    public string? NewKey { get; private set; }

    public string? Message { get; private set; }

    public bool Failed { get; private set; }

    public void OnGet() => Load();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Load();
        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(Input.Name)) missing.Add(ui["keys.name"]);
        if (string.IsNullOrWhiteSpace(Input.Email)) missing.Add(ui["keys.email"]);
        if (missing.Count > 0)
        {
            Failed = true;
            Message = ui.Format("apply.missing", string.Join("、", missing));
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        else
        {
            var result = await api.PostJsonAsync(HttpContext, "api/v1/keys", new
            {
                name = Input.Name!.Trim(),
                organisation = string.IsNullOrWhiteSpace(Input.Organisation) ? null : Input.Organisation.Trim(),
                email = Input.Email!.Trim(),
                intendedUse = string.IsNullOrWhiteSpace(Input.IntendedUse) ? null : Input.IntendedUse.Trim(),
            }, null, ct);
            if (result.Ok && result.String("key") is { } key)
            {
                NewKey = key;
                Message = ui["keys.created"];
                Input = new KeyInput();
            }
            else
            {
                Failed = true;
                Message = ui.Format("keys.refused", result.Problem ?? ui["keys.noKey"]);
                Response.StatusCode = result.Ok ? StatusCodes.Status502BadGateway : result.Status;
            }
        }

        ModelState.Clear();
        return Page();
    }

    private void Load()
    {
        BaseUrl = Catalog.CatalogEndpoints.BaseUrl(Request);
        Tiers = LoadTiers(options.Value.SeedsPath);
    }

    public static IReadOnlyList<TierSeed> LoadTiers(string seedsPath)
    {
        var path = Path.Combine(RepoPaths.Resolve(seedsPath), "tiers.json");
        return System.IO.File.Exists(path)
            ? JsonSerializer.Deserialize<List<TierSeed>>(System.IO.File.ReadAllText(path), DatasetDefinition.JsonOptions) ?? []
            : [];
    }
}
