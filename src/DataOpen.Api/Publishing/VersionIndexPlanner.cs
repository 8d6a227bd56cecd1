using DataOpen.Core.Catalog;
using DataOpen.Core.Ingest;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataOpen.Api.Publishing;

/// <summary>
/// The index plan of every published version, built in the publish's transaction after the rows are loaded and
/// ANALYZEd, so the version never becomes current half-indexed:
/// <list type="bullet">
/// <item>declared: a B-tree <c>(field, _row_id)</c> for each field with <c>index: true</c>, a trigram GIN for each
/// text field with <c>search: true</c>, and each composite of <c>indexes</c> with <c>_row_id</c> appended in the
/// direction the keyset order gives it (descending when every listed field is);</item>
/// <item>from the data's statistics (<c>pg_stats</c>), on versions of at least <see cref="IndexPlanOptions.StatisticsMinRows"/>
/// rows and at most <see cref="IndexPlanOptions.MaxStatisticsIndexes"/> of them, in field order: codes and categories (text
/// with 2 to <see cref="IndexPlanOptions.MaxCategoryShare"/> of the rows distinct), dates and timestamps, numeric measures;
/// a numeric column whose order follows the physical order (|correlation| ≥ <see cref="IndexPlanOptions.BrinCorrelation"/>)
/// gets a BRIN instead of a B-tree; other text (mostly distinct: names, addresses) gets a trigram index.</item>
/// </list>
/// Every B-tree ends in <c>_row_id</c>, the last key of every keyset order, so filtered, ordered and deep pages are
/// index scans.
/// </summary>
public sealed class VersionIndexPlanner(IOptions<IndexPlanOptions> options) : IIndexPlanContributor
{
    public async Task<IReadOnlyList<IndexSpec>> PlanAsync(IndexPlanContext context, CancellationToken ct)
    {
        var byName = context.Fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var specs = new List<IndexSpec>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        var definition = context.Definition;
        var trigram = await TrigramOpClassAsync(context, ct);

        foreach (var spec in definition?.Fields ?? [])
        {
            if (spec.Index == true)
            {
                Require(byName, spec.Name, "fields[].index");
                specs.Add(BTree(context, specs, "declared", new IndexColumn(spec.Name), new IndexColumn(TableShape.RowIdColumn)));
                covered.Add(spec.Name);
            }

            if (spec.Search == true)
            {
                var field = Require(byName, spec.Name, "fields[].search");
                if (field.Type != FieldType.Text)
                {
                    throw new IngestException(IngestProblem.InvalidFieldSpec, $"Field '{spec.Name}' is {field.Type.ToName()}: search (a trigram index) applies to text fields only.");
                }

                if (trigram is null)
                {
                    throw new IngestException(IngestProblem.InvalidFieldSpec, $"Field '{spec.Name}' declares search, but the database has no pg_trgm extension (PostgreSQL contrib): install it or drop search.");
                }

                specs.Add(Trigram(context, specs, "declared", spec.Name, trigram));
            }
        }

        foreach (var (declaration, i) in (definition?.Indexes ?? []).Select((d, i) => (d, i)))
        {
            var columns = declaration.Fields.Select(f => f.StartsWith('-') ? new IndexColumn(f[1..], true) : new IndexColumn(f)).ToList();
            foreach (var c in columns)
            {
                Require(byName, c.Field, $"indexes[{i}]");
            }

            if (columns.Select(c => c.Field).Distinct(StringComparer.Ordinal).Count() != columns.Count)
            {
                throw new IngestException(IngestProblem.InvalidFieldSpec, $"indexes[{i}] names a field twice.");
            }

            // The keyset order's last key: _row_id descending only when every order key is descending.
            columns.Add(new IndexColumn(TableShape.RowIdColumn, columns.Count > 1 && columns.Skip(1).All(c => c.Descending) || columns.All(c => c.Descending)));
            specs.Add(BTree(context, specs, "composite", [.. columns]));
            covered.Add(columns[0].Field);
        }

        if (context.RowCount >= options.Value.StatisticsMinRows)
        {
            specs.AddRange(await FromStatisticsAsync(context, covered, specs, trigram, ct));
        }

        return specs;
    }

    public Task BuiltAsync(IndexPlanContext context, IReadOnlyList<BuiltIndex> built, CancellationToken ct) => Task.CompletedTask;

    private async Task<List<IndexSpec>> FromStatisticsAsync(IndexPlanContext context, HashSet<string> covered, List<IndexSpec> planned, string? trigram, CancellationToken ct)
    {
        var stats = new Dictionary<string, (double Distinct, double Correlation, double NullFrac)>(StringComparer.Ordinal);
        await using (var cmd = new NpgsqlCommand(
            "SELECT attname, n_distinct, COALESCE(correlation, 0), null_frac FROM pg_stats WHERE schemaname = 'data' AND tablename = $1", context.Connection, context.Transaction)
        {
            Parameters = { new() { Value = context.Table } },
        })
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var nd = r.GetFloat(1);
                stats[r.GetString(0)] = (nd < 0 ? -nd * context.RowCount : nd, r.GetFloat(2), r.GetFloat(3));
            }
        }

        var o = options.Value;
        var picked = new List<IndexSpec>();
        foreach (var field in context.Fields)
        {
            if (picked.Count >= o.MaxStatisticsIndexes)
            {
                break;
            }

            if (covered.Contains(field.Name) || !stats.TryGetValue(field.Name, out var s) || s.NullFrac > 0.95 || s.Distinct < 2)
            {
                continue;
            }

            var all = planned.Concat(picked).ToList();
            var category = s.Distinct <= o.MaxCategoryShare * context.RowCount;
            var ordered = Math.Abs(s.Correlation) >= o.BrinCorrelation;
            switch (field.Type)
            {
                case FieldType.Date or FieldType.Timestamp:
                    picked.Add(BTree(context, all, "statistics", new IndexColumn(field.Name), new IndexColumn(TableShape.RowIdColumn)));
                    break;
                case FieldType.Integer or FieldType.BigInt or FieldType.Decimal or FieldType.Double when ordered:
                    picked.Add(new IndexSpec(Name(context, all), [new IndexColumn(field.Name)], "brin", "brin"));
                    break;
                case FieldType.Integer or FieldType.BigInt or FieldType.Decimal or FieldType.Double:
                    picked.Add(BTree(context, all, "statistics", new IndexColumn(field.Name), new IndexColumn(TableShape.RowIdColumn)));
                    break;
                case FieldType.Text when category:
                    picked.Add(BTree(context, all, "statistics", new IndexColumn(field.Name), new IndexColumn(TableShape.RowIdColumn)));
                    break;
                case FieldType.Text when trigram is not null:
                    picked.Add(Trigram(context, all, "statistics", field.Name, trigram));
                    break;
            }
        }

        return picked;
    }

    private static FieldInfo Require(Dictionary<string, FieldInfo> fields, string name, string where) =>
        fields.TryGetValue(name, out var f) ? f
            : throw new IngestException(IngestProblem.UnknownField, $"{where} names '{name}', which is not a field of this version (fields: {string.Join(", ", fields.Keys)}).");

    private static IndexSpec BTree(IndexPlanContext context, IReadOnlyCollection<IndexSpec> planned, string origin, params IndexColumn[] columns) =>
        new(Name(context, planned), columns, "btree", origin);

    private static IndexSpec Trigram(IndexPlanContext context, IReadOnlyCollection<IndexSpec> planned, string origin, string field, string opClass) =>
        new(Name(context, planned), [new IndexColumn(field)], "gin", origin == "declared" ? "declared" : "trigram", opClass);

    /// <summary>Names the plan's indexes <c>{table}_p{n}</c>; version tables are named <c>ds{id}_v{n}</c>, far inside 63 bytes.</summary>
    private static string Name(IndexPlanContext context, IReadOnlyCollection<IndexSpec> planned) => $"{context.Table}_p{planned.Count + 1}";

    /// <summary>The trigram operator class qualified with the schema pg_trgm lives in; null without pg_trgm.</summary>
    private static async Task<string?> TrigramOpClassAsync(IndexPlanContext context, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT quote_ident(n.nspname) || '.gin_trgm_ops' FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'",
            context.Connection, context.Transaction);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }
}
