using System.ComponentModel.DataAnnotations;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using DataOpen.Api.Access;
using DataOpen.Api.Catalog;
using DataOpen.Api.Rows;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DataOpen.Api.Pages.Datasets;

/// <summary>The error report / question form on every dataset page.</summary>
public sealed class FeedbackInput
{
    [Required]
    public string Kind { get; set; } = "error";

    [Required]
    [StringLength(FeedbackStore.MaxMessage, MinimumLength = 5)]
    public string Message { get; set; } = "";

    [StringLength(64)]
    public string? Field { get; set; }

    [StringLength(FeedbackStore.MaxContact)]
    public string? Contact { get; set; }
}

/// <summary>The application form for conditional data (fields of POST /api/v1/applications).</summary>
public sealed class ApplyInput
{
    public string? ApiKey { get; set; }

    public string? Purpose { get; set; }

    public string? Scenario { get; set; }

    public List<string> Fields { get; set; } = [];

    public string? Organisation { get; set; }

    public string? PeriodStart { get; set; }

    public string? Until { get; set; }

    public string? SecurityMeasures { get; set; }

    public bool AcceptTerms { get; set; }
}

/// <summary>One dataset: metadata, fields, preview, chart, versions, downloads, API examples, feedback; applications for conditional data.</summary>
public sealed class DetailModel(CatalogStore catalog, IDatasetAccess access, QueryRunner runner, ChartBuilder charts, FeedbackStore feedback, SelfApi api, Ui ui, ILogger<DetailModel> logger) : PageModel
{
    public const int PreviewRows = 10;

    private static readonly JsonSerializerOptions ScriptJson = new()
    {
        // Escapes <, > and & so the JSON can never close the <script> element; CJK stays readable.
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public DatasetEntry Dataset { get; private set; } = null!;

    public DatasetDefinition Meta => Dataset.Metadata;

    public VersionInfo Current => Dataset.Current!;

    public CatalogSnapshot Snapshot { get; private set; } = CatalogSnapshot.Empty;

    public PublisherInfo? Publisher { get; private set; }

    public LicenseInfo? License { get; private set; }

    public IReadOnlyList<(string Scheme, string Label)> ThemeLabels { get; private set; } = [];

    public bool? OnTime { get; private set; }

    public AccessDecision Decision { get; private set; } = AccessDecision.Allow;

    public IReadOnlyList<FieldInfo> PreviewColumns { get; private set; } = [];

    public IReadOnlyList<string[]> Preview { get; private set; } = [];

    public string? PreviewError { get; private set; }

    public ChartData? Chart { get; private set; }

    public string? ChartJson { get; private set; }

    public IReadOnlyList<string> Formats { get; private set; } = [];

    public IReadOnlyList<FeedbackReport> Answers { get; private set; } = [];

    public string BaseUrl { get; private set; } = "";

    public string JsonLd { get; private set; } = "";

    [BindProperty]
    public FeedbackInput Feedback { get; set; } = new();

    public string? FeedbackMessage { get; private set; }

    [BindProperty]
    public ApplyInput Apply { get; set; } = new();

    public string? ApplyMessage { get; private set; }

    public bool ApplyFailed { get; private set; }

    public bool FeedbackFailed { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        return Page();
    }

    public async Task<IActionResult> OnPostFeedbackAsync(string id, CancellationToken ct)
    {
        if (!Load(id))
        {
            return NotFound();
        }

        Feedback.Message = Feedback.Message?.Trim() ?? "";
        var errors = new List<string>();
        if (!FeedbackKinds.All.Contains(Feedback.Kind))
        {
            errors.Add(ui.Format("feedback.badKind", Feedback.Kind));
        }

        if (Feedback.Message.Length is < 5 or > FeedbackStore.MaxMessage)
        {
            errors.Add(ui.Format("feedback.badMessage", 5, FeedbackStore.MaxMessage));
        }

        var field = string.IsNullOrWhiteSpace(Feedback.Field) ? null : Feedback.Field.Trim();
        if (field is not null && !Current.Shape.TryGetField(field, out _))
        {
            errors.Add(ui.Format("feedback.badField", field));
        }

        if (Feedback.Contact is { Length: > FeedbackStore.MaxContact })
        {
            errors.Add(ui.Format("feedback.badContact", FeedbackStore.MaxContact));
        }

        if (errors.Count > 0)
        {
            FeedbackFailed = true;
            FeedbackMessage = string.Join(" ", errors);
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        else
        {
            var number = await feedback.AddReportAsync(Dataset.Identifier, Meta.Publisher, Feedback.Kind, Feedback.Message, field,
                string.IsNullOrWhiteSpace(Feedback.Contact) ? null : Feedback.Contact.Trim(), ct);
            FeedbackMessage = ui.Format("feedback.thanks", number);
            Feedback = new FeedbackInput();
        }

        ModelState.Clear();
        await LoadAsync(id, ct);
        return Page();
    }

    /// <summary>Forwards the application to POST /api/v1/applications with the applicant's API key, so the form works without JavaScript.</summary>
    public async Task<IActionResult> OnPostApplyAsync(string id, CancellationToken ct)
    {
        if (!Load(id))
        {
            return NotFound();
        }

        if (Dataset.OpenClass != OpenClasses.Conditional)
        {
            ApplyFailed = true;
            ApplyMessage = ui["apply.notConditional"];
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        else
        {
            var missing = new List<string>();
            if (string.IsNullOrWhiteSpace(Apply.ApiKey)) missing.Add(ui["apply.apiKey"]);
            if (string.IsNullOrWhiteSpace(Apply.Purpose)) missing.Add(ui["apply.purpose"]);
            if (string.IsNullOrWhiteSpace(Apply.Scenario)) missing.Add(ui["apply.scenario"]);
            if (string.IsNullOrWhiteSpace(Apply.Organisation)) missing.Add(ui["apply.organisation"]);
            if (string.IsNullOrWhiteSpace(Apply.Until)) missing.Add(ui["apply.until"]);
            if (string.IsNullOrWhiteSpace(Apply.SecurityMeasures)) missing.Add(ui["apply.security"]);
            if (!Apply.AcceptTerms) missing.Add(ui["apply.pledge"]);
            if (missing.Count > 0)
            {
                ApplyFailed = true;
                ApplyMessage = ui.Format("apply.missing", string.Join("、", missing));
                Response.StatusCode = StatusCodes.Status400BadRequest;
            }
            else
            {
                var result = await api.PostJsonAsync(HttpContext, "api/v1/applications", new
                {
                    dataset = Dataset.Identifier,
                    purpose = Apply.Purpose!.Trim(),
                    scenario = Apply.Scenario!.Trim(),
                    fields = Apply.Fields.Count == 0 ? null : Apply.Fields,
                    organisation = Apply.Organisation!.Trim(),
                    periodStart = string.IsNullOrWhiteSpace(Apply.PeriodStart) ? DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : Apply.PeriodStart.Trim(),
                    periodEnd = Apply.Until!.Trim(),
                    securityMeasures = Apply.SecurityMeasures!.Trim(),
                    pledgeAccepted = Apply.AcceptTerms,
                }, Apply.ApiKey, ct);
                ApplyFailed = !result.Ok;
                ApplyMessage = result.Ok
                    ? ui.Format("apply.submitted", result.Body.TryGetProperty("id", out var n) ? n.ToString() : "?", result.String("status") ?? "pending", result.String("decisionDue") ?? "")
                    : ui.Format("apply.refused", result.Problem);
                Response.StatusCode = result.Ok ? StatusCodes.Status200OK : result.Status;
                if (result.Ok)
                {
                    Apply = new ApplyInput();
                }
            }
        }

        Apply.ApiKey = null;
        ModelState.Clear();
        await LoadAsync(id, ct);
        return Page();
    }

    private bool Load(string id)
    {
        Snapshot = catalog.Current;
        var d = Snapshot.FindServed(id);
        if (d is null || d.IsRetired || d.Current is null)
        {
            return false;
        }

        Dataset = d;
        return true;
    }

    private async Task<bool> LoadAsync(string id, CancellationToken ct)
    {
        if (!Load(id))
        {
            return false;
        }

        Decision = await access.AuthorizeRowsAsync(HttpContext, Dataset, "page", ct);
        if (Decision.Outcome == AccessOutcome.Hidden)
        {
            return false;
        }

        BaseUrl = CatalogEndpoints.BaseUrl(Request);
        Publisher = Snapshot.PublishersById.GetValueOrDefault(Meta.Publisher);
        License = Snapshot.LicensesById.GetValueOrDefault(Meta.License);
        var themeLookup = Snapshot.Themes.ToDictionary(t => (t.SchemeId, t.Code));
        var schemes = Snapshot.ThemeSchemes.ToDictionary(s => s.Id);
        ThemeLabels = Meta.Themes.SelectMany(kv => kv.Value.Select(code =>
            (schemes.TryGetValue(kv.Key, out var s) ? ui.Pick(s.NameZh, s.NameEn) : kv.Key,
             themeLookup.TryGetValue((kv.Key, code), out var t) ? ui.Pick(t.LabelZh, t.LabelEn) : code))).ToList();
        OnTime = PageFormat.OnTime(Meta.UpdateFrequency, Dataset.Modified, DateTimeOffset.UtcNow);
        Formats = CatalogSearch.DistributionFormats(Dataset);
        Answers = await feedback.PublicReportsAsync(Dataset.Identifier, ct);

        if (Decision.Outcome == AccessOutcome.Allowed)
        {
            await LoadRowsAsync(ct);
        }

        JsonLd = JsonSerializer.Serialize(BuildJsonLd(), ScriptJson);
        return true;
    }

    private async Task LoadRowsAsync(CancellationToken ct)
    {
        try
        {
            // A key whose grant names fields previews those fields only, and its chart is drawn from them.
            var compiled = QueryCompiler.Default.Compile(new RowQuery(Current.Shape) { Limit = PreviewRows, AllowedFields = Decision.Fields });
            var page = await runner.PageAsync(compiled, ct);
            var visible = compiled.Columns.Select((c, i) => (c, i)).Where(x => !x.c.Hidden).ToList();
            PreviewColumns = visible.Select(x => Current.Shape.TryGetField(x.c.Name, out var f) ? f : new FieldInfo(x.c.Name, x.c.Type, x.i)).ToList();
            Preview = page.Rows.Select(r => visible.Select(x => PageFormat.Value(r[x.i])).ToArray()).ToList();

            Chart = await charts.BuildAsync(Current, ui.Pick, Decision.Fields, ct);
            ChartJson = Chart is null ? null : JsonSerializer.Serialize(Chart, ScriptJson);
        }
        catch (QueryTimeoutException ex)
        {
            logger.LogWarning(ex, "Preview of {Dataset} timed out", Dataset.Identifier);
            PreviewError = ui["detail.previewTimeout"];
        }
        catch (QueryException ex) when (ex.Code == QueryErrorCodes.FieldNotGranted)
        {
            PreviewError = ui["detail.previewNotGranted"];
        }
    }

    public string DownloadUrl(string format, int? version = null) =>
        $"/api/v1/datasets/{Dataset.Identifier}/download?format={format}" + (version is int v ? $"&version={v}" : "");

    public string ODataUrl => $"{BaseUrl}/odata/{ODataNames.EntitySet(Dataset.Identifier)}";

    public string CurlExample => $"curl '{BaseUrl}/api/v1/datasets/{Dataset.Identifier}/rows?limit=5'";

    public string ODataExample => $"{ODataUrl}?$top=5";

    public string GraphQlField => GraphQlName(Dataset.Identifier);

    public string GraphQlExample
    {
        get
        {
            var fields = string.Join(" ", Current.Shape.Fields.Take(4).Select(f => f.Name));
            return $$"""
                {
                  {{GraphQlField}}(first: 5) {
                    totalCount
                    nodes { {{fields}} }
                  }
                }
                """;
        }
    }

    public string GraphQlCurl => "curl -X POST '" + BaseUrl + "/graphql' -H 'Content-Type: application/json' -d '" +
        JsonSerializer.Serialize(new { query = GraphQlExample.ReplaceLineEndings(" ") }) + "'";

    /// <summary>camelCase of the identifier: the field name the GraphQL door gives each dataset.</summary>
    public static string GraphQlName(string identifier)
    {
        var pascal = ODataNames.EntitySet(identifier);
        return char.ToLowerInvariant(pascal[0]) + pascal[1..];
    }

    private Dictionary<string, object?> BuildJsonLd()
    {
        var m = Meta;
        var page = $"{BaseUrl}/datasets/{Dataset.Identifier}";
        var ld = new Dictionary<string, object?>
        {
            ["@context"] = "https://schema.org/",
            ["@type"] = "Dataset",
            ["@id"] = page,
            ["url"] = page,
            ["identifier"] = Dataset.Identifier,
            ["name"] = m.Title.En is null ? m.Title.Zh : new[] { new Dictionary<string, string> { ["@language"] = "zh-CN", ["@value"] = m.Title.Zh }, new Dictionary<string, string> { ["@language"] = "en", ["@value"] = m.Title.En } },
            ["description"] = m.Description.Zh + (m.Description.En is null ? "" : "\n\n" + m.Description.En),
            ["keywords"] = m.Keywords.Zh.Concat(m.Keywords.En ?? []).ToArray(),
            ["license"] = License?.Url ?? License?.Id ?? m.License,
            ["isAccessibleForFree"] = true,
            ["conditionsOfAccess"] = m.OpenConditions?.Zh,
            ["datePublished"] = m.Issued,
            ["dateModified"] = Dataset.Modified.ToString("O"),
            ["version"] = Current.Version,
            ["inLanguage"] = "zh-CN",
            ["publisher"] = new Dictionary<string, object?>
            {
                ["@type"] = "GovernmentOrganization",
                ["name"] = Publisher?.NameZh ?? m.Publisher,
                ["alternateName"] = Publisher?.NameEn,
                ["email"] = Publisher?.Email,
                ["url"] = Publisher?.Website,
            },
            ["temporalCoverage"] = m.TemporalCoverage is null ? null : $"{m.TemporalCoverage.Start}/{m.TemporalCoverage.End ?? ".."}",
            ["spatialCoverage"] = m.SpatialCoverage is null ? null : new Dictionary<string, object?> { ["@type"] = "Place", ["name"] = m.SpatialCoverage.Zh },
            ["variableMeasured"] = Current.Shape.Fields.Select(f => new Dictionary<string, object?>
            {
                ["@type"] = "PropertyValue",
                ["name"] = f.Name,
                ["description"] = f.TitleZh,
                ["unitText"] = f.Unit,
            }).ToArray(),
            ["distribution"] = Decision.Outcome == AccessOutcome.Allowed
                ? Formats.Select(f => new Dictionary<string, object?>
                {
                    ["@type"] = "DataDownload",
                    ["encodingFormat"] = MediaTypes.For(f),
                    ["contentUrl"] = BaseUrl + DownloadUrl(f),
                }).ToArray()
                : null,
        };
        return ld;
    }
}
