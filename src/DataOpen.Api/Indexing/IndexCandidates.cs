using DataOpen.Api.Publishing;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;

namespace DataOpen.Api.Indexing;

/// <summary>
/// The B-tree indexes that could serve a query shape, from the usual rule: equality columns first, then either
/// the order (so a LIMIT stops early and keyset pages stay index scans: the order ends in <c>_row_id</c> as the
/// compiler writes it) or one range column. Which of them is best, and whether any is, is the planner's call:
/// each candidate is tried as a hypothetical index.
/// </summary>
public static class IndexCandidates
{
    public static IReadOnlyList<IReadOnlyList<IndexColumn>> For(string kind, IReadOnlyList<ShapeFilter> filters, IReadOnlyList<ShapeOrder> orders, IReadOnlySet<string> fields)
    {
        bool Known(string f) => f == TableShape.RowIdColumn || fields.Contains(f);
        var eq = filters.Where(f => f.Op is ShapeOperators.Eq or ShapeOperators.In or ShapeOperators.IsNull && Known(f.Field))
            .Select(f => f.Field).Distinct(StringComparer.Ordinal).ToList();
        var ranges = filters.Where(f => f.Op == ShapeOperators.Range && Known(f.Field) && !eq.Contains(f.Field))
            .Select(f => f.Field).Distinct(StringComparer.Ordinal).ToList();
        var lead = eq.Select(f => new IndexColumn(f)).ToList();

        var result = new List<IReadOnlyList<IndexColumn>>();
        void Add(List<IndexColumn> columns)
        {
            var key = Key(columns);
            if (columns.Count > 0 && !(columns.Count == 1 && columns[0].Field == TableShape.RowIdColumn)
                && columns.Count <= 32 && !result.Any(r => Key(r) == key))
            {
                result.Add(columns);
            }
        }

        if (kind == QueryShape.Rows)
        {
            // An order on a field filtered by equality is constant there: leave it out of the index.
            var ordered = orders.Where(o => Known(o.Field) && !eq.Contains(o.Field)).Select(o => new IndexColumn(o.Field, o.Descending));
            Add([.. lead, .. ordered]);
        }

        if (kind is QueryShape.Rows or QueryShape.Count)
        {
            if (ranges.Count > 0)
            {
                Add([.. lead, new IndexColumn(ranges[0])]);
            }
            else if (kind == QueryShape.Count)
            {
                Add(lead);
            }
        }

        return result;
    }

    /// <summary>Canonical text of an index's columns: <c>station,measured_at desc,_row_id desc</c>.</summary>
    public static string Key(IEnumerable<IndexColumn> columns) => string.Join(',', columns.Select(c => c.Field + (c.Descending ? " desc" : "")));

    /// <summary>An index name unique per table and columns, within PostgreSQL's 63 bytes.</summary>
    public static string Name(string table, string columnKey)
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(table + "|" + columnKey)))[..10];
        var prefix = table.Length > 48 ? table[..48] : table;
        return $"ai_{prefix}_{hash}";
    }
}
