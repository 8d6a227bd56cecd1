using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using DataOpen.Api.Catalog;
using DataOpen.Api.Maps;
using DataOpen.Api.Quality;
using DataOpen.Api.Rows;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using DataOpen.Core.Query.Rest;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.Pages.Datasets;

/// <summary>A field the map can be filtered by, with the values found in the version (from a group_by of the engine).</summary>
public sealed record MapFilter(FieldInfo Field, IReadOnlyList<string> Values, string? Selected);

/// <summary>One point of the table fallback: the label, the filter fields' values and the coordinates.</summary>
public sealed record MapPoint(string Label, IReadOnlyList<string> Values, double Longitude, double Latitude);

public sealed record MapView(
    string Dataset, FieldInfo Label, FieldInfo Longitude, FieldInfo Latitude, IReadOnlyList<MapFilter> Filters, string? Text,
    IReadOnlyList<MapPoint> Points, bool More, int MaxPoints, string ConfigJson);

/// <summary>
/// The map preview of a dataset that declares its coordinate fields (dataset.json <c>geo</c>). The page lists the points a
/// filter selects through the same REST parameters (<c>field=value</c>, <c>label[contains]=text</c>) that the browser's
/// map sends to <c>GET /api/v1/datasets/{id}/rows</c>, so the table fallback and the drawn points are the same rows.
/// </summary>
public sealed class DatasetMapViewComponent(CatalogStore catalog, QueryRunner runner, IOptions<MapOptions> options, Ui ui) : ViewComponent
{
    public const int MaxFilters = 2;
    public const int MaxValues = 30;
    public const string TextParameter = "map-q";

    private static readonly JsonSerializerOptions ScriptJson = new()
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public static string Parameter(string field) => "map-" + field;

    public async Task<IViewComponentResult> InvokeAsync(string dataset, IReadOnlySet<string>? allowed)
    {
        try
        {
            return await BuildAsync(dataset, allowed);
        }
        catch (QueryTimeoutException)
        {
            return Content(""); // the preview above already says the data took too long
        }
    }

    private async Task<IViewComponentResult> BuildAsync(string dataset, IReadOnlySet<string>? allowed)
    {
        if (catalog.Current.FindServed(dataset) is not { Current: not null, Metadata.Geo: { } geo } d)
        {
            return Content("");
        }

        var shape = d.Current.Shape;
        bool Readable(string name) => allowed is null || allowed.Contains(name);
        if (!shape.TryGetField(geo.Longitude, out var lon) || !shape.TryGetField(geo.Latitude, out var lat) || !Readable(lon.Name) || !Readable(lat.Name))
        {
            return Content("");
        }

        var ct = HttpContext.RequestAborted;
        var text = shape.Fields.Where(f => f.Type == FieldType.Text && Readable(f.Name)).ToList();
        var label = text.FirstOrDefault(f => f.Name.Contains("name", StringComparison.Ordinal)) ?? text.FirstOrDefault() ?? lon;
        var filters = new List<MapFilter>();
        foreach (var f in text.Where(f => f != label && IsFilterCandidate(f)).Take(4))
        {
            if (filters.Count == MaxFilters)
            {
                break;
            }

            var values = DataChecks.EnumDomain(f.ValueDomain) ?? (IReadOnlyList<string>)await DistinctAsync(shape, f, allowed, ct);
            if (values.Count is >= 2 and <= MaxValues)
            {
                var chosen = Request.Query[Parameter(f.Name)].ToString();
                filters.Add(new MapFilter(f, values, values.Contains(chosen) ? chosen : null));
            }
        }

        var search = label.Type == FieldType.Text && Request.Query[TextParameter].ToString().Trim() is { Length: > 0 and <= 100 } q ? q : null;
        var max = options.Value.MaxPoints;
        var select = new[] { label.Name }.Concat(filters.Select(f => f.Field.Name)).Append(lon.Name).Append(lat.Name).Distinct().ToList();
        var parameters = new List<KeyValuePair<string, string?>>
        {
            new("select", string.Join(',', select)),
            new("limit", max.ToString(CultureInfo.InvariantCulture)),
        };
        parameters.AddRange(filters.Where(f => f.Selected is not null).Select(f => new KeyValuePair<string, string?>(f.Field.Name, f.Selected)));
        if (search is not null)
        {
            parameters.Add(new(label.Name + "[contains]", search));
        }

        var query = RestQueryParser.Parse(shape, parameters, new RestQueryOptions { AllowedFields = allowed, Limits = QueryLimits.Default with { MaxLimit = Math.Max(max, QueryLimits.Default.MaxLimit) } });
        var compiled = QueryCompiler.Default.Compile(query);
        var page = await runner.PageAsync(compiled, ct);
        int At(string name) => compiled.Columns.Select((c, i) => (c, i)).First(x => !x.c.Hidden && x.c.Name == name).i;
        var (labelAt, lonAt, latAt) = (At(label.Name), At(lon.Name), At(lat.Name));
        var filterAt = filters.Select(f => At(f.Field.Name)).ToList();
        var points = new List<MapPoint>();
        foreach (var row in page.Rows)
        {
            if (ToDouble(row[lonAt]) is { } x && ToDouble(row[latAt]) is { } y)
            {
                points.Add(new MapPoint(PageFormat.Value(row[labelAt]), filterAt.Select(i => PageFormat.Value(row[i])).ToList(), x, y));
            }
        }

        var config = new
        {
            rowsUrl = $"/api/v1/datasets/{d.Identifier}/rows",
            select,
            label = label.Name,
            longitude = lon.Name,
            latitude = lat.Name,
            filters = filters.Select(f => f.Field.Name).ToList(),
            textField = label.Type == FieldType.Text ? label.Name : null,
            outlineUrl = "/api/v1/map/outline",
            tileUrl = string.IsNullOrWhiteSpace(options.Value.TileUrl) ? null : options.Value.TileUrl,
            tileAttribution = options.Value.TileAttribution,
            maxPoints = max,
            pageSize = Math.Min(max, QueryLimits.Default.MaxLimit),
            texts = new { shown = ui["map.shown"], more = ui["map.more"], failed = ui["map.failed"], area = ui["map.area"] },
        };
        return View(new MapView(d.Identifier, label, lon, lat, filters, search, points, page.HasMore, max, JsonSerializer.Serialize(config, ScriptJson)));
    }

    private static bool IsFilterCandidate(FieldInfo f) =>
        !f.Name.EndsWith("_id", StringComparison.Ordinal) && !f.Name.EndsWith("_code", StringComparison.Ordinal) && !f.Name.Contains("name", StringComparison.Ordinal)
        && f.Name is not ("description" or "address" or "routes");

    private async Task<List<string>> DistinctAsync(TableShape shape, FieldInfo field, IReadOnlySet<string>? allowed, CancellationToken ct)
    {
        var query = new RowQuery(shape)
        {
            GroupBy = [field.Name],
            Aggregates = [Aggregate.Count("n")],
            OrderBy = [new DataOpen.Core.Query.SortKey(field.Name, false)],
            Limit = MaxValues + 1,
            Offset = 0,
            Filter = Expr.IsNotNull(Expr.Field(field.Name)),
            AllowedFields = allowed,
        };
        var values = new List<string>();
        await foreach (var row in runner.StreamAsync(QueryCompiler.Default.Compile(query), ct))
        {
            values.Add(PageFormat.Value(row[0]));
        }

        return values;
    }

    private static double? ToDouble(object? v) => v switch
    {
        null => null,
        double d when double.IsFinite(d) => d,
        float f => f,
        decimal m => (double)m,
        int or long or short => Convert.ToDouble(v, CultureInfo.InvariantCulture),
        _ => null,
    };
}
