using DataOpen.Api.Catalog;
using DataOpen.Api.Rows;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;

namespace DataOpen.Api.Pages;

/// <summary>One chart: a dimension on the x axis and one aggregated measure, computed on the server.</summary>
public sealed record ChartData(string Kind, string Dimension, string DimensionLabel, string Measure, string MeasureLabel, string Aggregate, string? Unit, IReadOnlyList<string> Labels, IReadOnlyList<double?> Values);

/// <summary>
/// Picks a time or category dimension and a measure from a dataset's fields and runs the aggregate
/// through the shared query engine on the reader role. Quantities with a counting unit (家, 人, 万元…)
/// are summed; indexes and concentrations (no unit, or a unit with "/") are averaged; with no measure
/// the chart counts rows.
/// </summary>
public sealed class ChartBuilder(QueryRunner runner)
{
    public const int MaxPoints = 200;
    public const int MaxCategories = 30;

    private static readonly HashSet<string> TimeNames = new(StringComparer.Ordinal) { "year", "month", "period", "report_date" };

    /// <summary>The chart of <paramref name="version"/>, drawn only from <paramref name="allowed"/> fields when a grant limits them (null: all).</summary>
    public async Task<ChartData?> BuildAsync(VersionInfo version, Func<string, string?, string> pick, IReadOnlySet<string>? allowed, CancellationToken ct)
    {
        var shape = version.Shape;
        var fields = shape.Fields.Where(f => allowed is null || allowed.Contains(f.Name)).ToList();
        var time = fields.FirstOrDefault(f => f.Type == FieldType.Timestamp)
            ?? fields.FirstOrDefault(f => TimeNames.Contains(f.Name) && f.Type is FieldType.Integer or FieldType.Text or FieldType.Date);
        var measure = fields.FirstOrDefault(f => IsNumeric(f.Type) && f != time && !TimeNames.Contains(f.Name) && f.Name is not ("quarter" or "longitude" or "latitude") && !f.Name.EndsWith("_year", StringComparison.Ordinal));
        if (time is not null)
        {
            var chart = await RunAsync(shape, allowed, time, measure, "time", descending: true, MaxPoints, pick, ct);
            return chart is { Labels.Count: >= 2 } ? chart with { Labels = chart.Labels.Reverse().ToList(), Values = chart.Values.Reverse().ToList() } : null;
        }

        foreach (var category in fields.Where(IsCategoryCandidate).Take(4))
        {
            var chart = await RunAsync(shape, allowed, category, measure, "category", descending: false, MaxCategories + 1, pick, ct);
            if (chart is { Labels.Count: >= 2 and <= MaxCategories })
            {
                return chart;
            }
        }

        return null;
    }

    private static bool IsNumeric(FieldType t) => t is FieldType.Integer or FieldType.BigInt or FieldType.Decimal or FieldType.Double;

    private static bool IsCategoryCandidate(FieldInfo f) =>
        f.Type == FieldType.Text && !f.Name.EndsWith("_id", StringComparison.Ordinal) && !f.Name.EndsWith("_code", StringComparison.Ordinal)
        && !f.Name.Contains("name", StringComparison.Ordinal) && f.Name is not ("description" or "address" or "need" or "services" or "conditions" or "measure" or "routes");

    private async Task<ChartData?> RunAsync(TableShape shape, IReadOnlySet<string>? allowed, FieldInfo dimension, FieldInfo? measure, string kind, bool descending, int limit, Func<string, string?, string> pick, CancellationToken ct)
    {
        var summed = measure?.Unit is { } unit && !unit.Contains('/', StringComparison.Ordinal);
        var aggregate = measure is null ? Aggregate.Count("value")
            : summed ? Aggregate.Sum(measure.Name, "value") : Aggregate.Avg(measure.Name, "value");
        var query = new RowQuery(shape)
        {
            GroupBy = [dimension.Name],
            Aggregates = [aggregate],
            OrderBy = [new SortKey(dimension.Name, descending)],
            Limit = limit,
            Offset = 0,
            Filter = Expr.IsNotNull(Expr.Field(dimension.Name)),
            AllowedFields = allowed,
        };
        var compiled = QueryCompiler.Default.Compile(query);
        var labels = new List<string>();
        var values = new List<double?>();
        await foreach (var row in runner.StreamAsync(compiled, ct))
        {
            labels.Add(PageFormat.Value(row[0]));
            values.Add(row[1] is null ? null : Math.Round(Convert.ToDouble(row[1], System.Globalization.CultureInfo.InvariantCulture), 2));
        }

        return new ChartData(
            kind, dimension.Name, pick(dimension.TitleZh ?? dimension.Name, dimension.TitleEn),
            measure?.Name ?? "count", measure is null ? "" : pick(measure.TitleZh ?? measure.Name, measure.TitleEn),
            measure is null ? "count" : summed ? "sum" : "avg", measure?.Unit, labels, values);
    }
}
