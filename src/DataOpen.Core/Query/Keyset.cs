namespace DataOpen.Core.Query;

/// <summary>
/// The "rows after the cursor" predicate. Nulls sort as the largest value (NULLS LAST ascending,
/// NULLS FIRST descending), so after a non-null value v: ascending rows are <c>k &gt; v OR k IS NULL</c>,
/// descending rows are <c>k &lt; v</c>; after a null: ascending nothing is greater, descending every
/// non-null value follows. The last key is always <c>_row_id</c> (not null, unique).
/// </summary>
internal static class Keyset
{
    public static string Predicate(IReadOnlyList<(string Column, bool Descending)> keys, IReadOnlyList<object?> values, ParameterList ps)
    {
        var columns = keys.Select(k => Catalog.Sql.QuoteIdentifier(k.Column)).ToArray();
        var placeholders = values.Select(v => v is null ? null : ps.Add(v)).ToArray();
        var descending = keys[0].Descending;
        var last = keys.Count - 1;

        if (keys.All(k => k.Descending == descending) && placeholders.All(p => p is not null))
        {
            // One row comparison (index friendly). A null in a row makes the comparison unknown, which is
            // exactly right for descending order (null rows came earlier); ascending, null rows come later
            // and are added back explicitly.
            var row = keys.Count == 1
                ? $"{columns[0]} {(descending ? "<" : ">")} {placeholders[0]}"
                : $"({string.Join(", ", columns)}) {(descending ? "<" : ">")} ({string.Join(", ", placeholders)})";
            if (descending)
            {
                return row;
            }

            var alternatives = new List<string> { row };
            for (var i = 0; i < last; i++)
            {
                alternatives.Add(string.Join(" AND ", Enumerable.Range(0, i).Select(j => $"{columns[j]} = {placeholders[j]}").Append($"{columns[i]} IS NULL")));
            }

            return alternatives.Count == 1 ? row : "(" + string.Join(" OR ", alternatives.Select(a => "(" + a + ")")) + ")";
        }

        var disjuncts = new List<string>();
        for (var i = 0; i <= last; i++)
        {
            var after = After(columns[i], keys[i].Descending, placeholders[i], notNull: i == last);
            if (after is null)
            {
                continue;
            }

            var equal = Enumerable.Range(0, i).Select(j => placeholders[j] is null ? $"{columns[j]} IS NULL" : $"{columns[j]} = {placeholders[j]}");
            disjuncts.Add("(" + string.Join(" AND ", equal.Append(after)) + ")");
        }

        return "(" + string.Join(" OR ", disjuncts) + ")";
    }

    /// <summary>Rows strictly after the value in this key's order, or null when none can be.</summary>
    private static string? After(string column, bool descending, string? placeholder, bool notNull) => (descending, placeholder) switch
    {
        (false, null) => null,
        (false, _) when notNull => $"{column} > {placeholder}",
        (false, _) => $"({column} > {placeholder} OR {column} IS NULL)",
        (true, null) => $"{column} IS NOT NULL",
        (true, _) => $"{column} < {placeholder}",
    };
}
