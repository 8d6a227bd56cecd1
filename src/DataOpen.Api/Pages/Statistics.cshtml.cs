using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using DataOpen.Api.Access;
using DataOpen.Api.Catalog;
using DataOpen.Api.Rows;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DataOpen.Api.Pages;

public sealed record StatisticsTable(DatasetEntry Dataset, ChartData? Chart, string? ChartJson);

/// <summary>
/// Policy statistics: the anonymised tables published under the agreed identifier prefix
/// <see cref="Prefix"/>, each with a chart, and a plain explanation of how respondents are protected.
/// </summary>
public sealed class StatisticsModel(CatalogStore catalog, IDatasetAccess access, ChartBuilder charts, Ui ui, ILogger<StatisticsModel> logger) : PageModel
{
    public const string Prefix = "policy-stats-";

    private static readonly JsonSerializerOptions ScriptJson = new()
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public IReadOnlyList<StatisticsTable> Tables { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var tables = new List<StatisticsTable>();
        foreach (var d in catalog.Current.Served.Where(d => d.Identifier.StartsWith(Prefix, StringComparison.Ordinal)).OrderBy(d => d.Identifier, StringComparer.Ordinal))
        {
            var decision = await access.AuthorizeRowsAsync(HttpContext, d, "page", ct);
            if (decision.Outcome == AccessOutcome.Hidden)
            {
                continue;
            }

            ChartData? chart = null;
            if (decision.Outcome == AccessOutcome.Allowed)
            {
                try
                {
                    chart = await charts.BuildAsync(d.Current!, ui.Pick, decision.Fields, ct);
                }
                catch (QueryTimeoutException ex)
                {
                    logger.LogWarning(ex, "Chart of {Dataset} timed out", d.Identifier);
                }
            }

            tables.Add(new StatisticsTable(d, chart, chart is null ? null : JsonSerializer.Serialize(chart, ScriptJson)));
        }

        Tables = tables;
    }
}
