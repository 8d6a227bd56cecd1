using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DataOpen.Api.Infrastructure;
using DataOpen.Core.Catalog;
using Npgsql;

namespace DataOpen.Api.Quality;

/// <summary>
/// The checks that read the version's rows, in one pass over its table: nulls per field, values outside a machine-readable value
/// domain (a list such as “优、良、轻度污染” for text, a range such as “0–500” for numbers), and text fields whose values all read as
/// numbers (a type the data did not get).
/// </summary>
public static partial class DataChecks
{
    /// <summary>Share of nulls in a field from which it counts as mostly empty.</summary>
    public const double MostlyEmpty = 0.5;

    public static async Task<IReadOnlyList<QualityCheck>> RunAsync(Database database, TableShape shape, CancellationToken ct)
    {
        var sql = new StringBuilder("SELECT count(*)");
        var parameters = new List<object>();
        var domains = new List<(FieldInfo Field, string Kind)>();
        var textFields = new List<FieldInfo>();
        foreach (var f in shape.Fields)
        {
            var col = Sql.QuoteIdentifier(f.Name);
            sql.Append(", count(").Append(col).Append(')');
            if (f.Type == FieldType.Text && EnumDomain(f.ValueDomain) is { } values)
            {
                parameters.Add(values);
                sql.Append($", count(*) FILTER (WHERE {col} <> ALL(${parameters.Count}::text[]))");
                domains.Add((f, "list"));
            }
            else if (f.Type is FieldType.Integer or FieldType.BigInt or FieldType.Decimal or FieldType.Double && RangeDomain(f.ValueDomain) is { } range)
            {
                parameters.Add(range.Min);
                parameters.Add(range.Max);
                sql.Append($", count(*) FILTER (WHERE {col}::numeric < ${parameters.Count - 1} OR {col}::numeric > ${parameters.Count})");
                domains.Add((f, "range"));
            }

            if (f.Type == FieldType.Text)
            {
                // Numbers without leading zeros: 007 and 0431 are codes and rightly text.
                sql.Append($", count(*) FILTER (WHERE {col} ~ '^-?(0|[1-9][0-9]*)(\\.[0-9]+)?$')");
                textFields.Add(f);
            }
        }

        sql.Append(" FROM ").Append(shape.QualifiedName);
        await using var cmd = database.Writer.CreateCommand(sql.ToString());
        foreach (var p in parameters)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = p });
        }

        var nulls = new List<FieldFinding>();
        var outside = new List<FieldFinding>();
        var numeric = new List<FieldFinding>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            var total = r.GetInt64(0);
            var i = 1;
            foreach (var f in shape.Fields)
            {
                var present = r.GetInt64(i++);
                nulls.Add(new FieldFinding(f.Name, Share(total - present, total), total - present));
                if (domains.Any(d => d.Field == f))
                {
                    var bad = r.GetInt64(i++);
                    outside.Add(new FieldFinding(f.Name, Share(bad, present), bad));
                }

                if (textFields.Contains(f))
                {
                    var n = r.GetInt64(i++);
                    if (present > 0 && n == present)
                    {
                        numeric.Add(new FieldFinding(f.Name, 1, n));
                    }
                }
            }
        }

        return [Nulls(nulls), Domains(outside), Types(numeric, textFields.Count)];
    }

    private static QualityCheck Nulls(List<FieldFinding> findings)
    {
        var empty = findings.Where(f => f.Share >= MostlyEmpty).Select(f => f.Field).ToList();
        var score = findings.Count == 0 ? 1 : 1 - findings.Average(f => f.Share);
        return new QualityCheck("nulls", Math.Round(score, 3), 2,
            empty.Count == 0
                ? new Localized($"空值占比平均 {(1 - score) * 100:0.#}%。", $"On average {(1 - score) * 100:0.#}% of the values are empty.")
                : new Localized($"空值占比平均 {(1 - score) * 100:0.#}%；大部分为空的字段：{string.Join("、", empty)}。", $"On average {(1 - score) * 100:0.#}% of the values are empty; mostly empty: {string.Join(", ", empty)}."),
            empty.Count == 0 ? null : new Localized("补全这些字段的数据，或从数据集中去掉它们。", "Fill these fields in, or leave them out of the dataset."),
            findings);
    }

    private static QualityCheck Domains(List<FieldFinding> findings)
    {
        if (findings.Count == 0)
        {
            return new QualityCheck("valueDomain", null, 2,
                new Localized("没有可机器校验的值域（列表“甲、乙、丙”或范围“0–500”）。", "No machine-checkable value domain (a list “A、B、C” or a range “0–500”) is declared."),
                new Localized("在字段的 valueDomain 中写明取值列表或数值范围。", "Declare the allowed values or the numeric range in the field's valueDomain."));
        }

        var bad = findings.Where(f => f.Count > 0).ToList();
        return new QualityCheck("valueDomain", Math.Round(1 - findings.Average(f => f.Share), 3), 2,
            bad.Count == 0 ? new Localized("所有值都在声明的值域内。", "Every value lies in its declared value domain.")
                : new Localized($"超出值域的值：{string.Join("、", bad.Select(b => $"{b.Field} {b.Count} 个"))}。", $"Values outside the declared domain: {string.Join(", ", bad.Select(b => $"{b.Field} {b.Count}"))}."),
            bad.Count == 0 ? null : new Localized("更正这些值，或更新 valueDomain。", "Correct these values, or update the valueDomain."), findings);
    }

    private static QualityCheck Types(List<FieldFinding> numeric, int textFields) =>
        new("types", textFields == 0 ? 1 : Math.Round(1 - numeric.Count / (double)textFields, 3), 1,
            numeric.Count == 0 ? new Localized("字段类型与数据一致。", "Field types match the data.")
                : new Localized($"文本字段的值全部是数字：{string.Join("、", numeric.Select(n => n.Field))}。", $"Text fields whose values are all numbers: {string.Join(", ", numeric.Select(n => n.Field))}."),
            numeric.Count == 0 ? null : new Localized("在 dataset.json 中把这些字段声明为 integer 或 decimal。", "Declare these fields as integer or decimal in dataset.json."), numeric);

    /// <summary>A list of allowed values such as “优、良、轻度污染”; notes in brackets are dropped (“_T（合计 total）” → “_T”).</summary>
    public static string[]? EnumDomain(string? domain)
    {
        if (string.IsNullOrWhiteSpace(domain) || !domain.Contains('、', StringComparison.Ordinal))
        {
            return null;
        }

        var items = domain.Split('、').Select(i => Bracketed().Replace(i, "").Trim()).ToArray();
        return items.All(i => i.Length is > 0 and <= 40 && !i.Contains(' ', StringComparison.Ordinal)) ? items : null;
    }

    /// <summary>A numeric range such as “0–500”, “0-100” or “1~12”.</summary>
    public static (decimal Min, decimal Max)? RangeDomain(string? domain)
    {
        var m = domain is null ? null : Range().Match(domain);
        return m is { Success: true }
            && decimal.TryParse(m.Groups[1].Value, NumberStyles.Number, CultureInfo.InvariantCulture, out var min)
            && decimal.TryParse(m.Groups[2].Value, NumberStyles.Number, CultureInfo.InvariantCulture, out var max) && min <= max
            ? (min, max) : null;
    }

    private static double Share(long part, long whole) => whole == 0 ? 0 : Math.Round(part / (double)whole, 4);

    [GeneratedRegex(@"[（(][^）)]*[）)]")]
    private static partial Regex Bracketed();

    [GeneratedRegex(@"^\s*(-?\d+(?:\.\d+)?)\s*[–—~\-]\s*(-?\d+(?:\.\d+)?)\s*$")]
    private static partial Regex Range();
}
