using System.Globalization;
using System.Text;
using DataOpen.Core.Catalog;
using Npgsql;

namespace DataOpen.Core.Query;

/// <summary>An output column. Hidden columns exist for the engine (cursor keys) and must not be returned to users.</summary>
public sealed record ResultColumn(string Name, FieldType Type, bool Hidden = false);

/// <summary>
/// PostgreSQL text with positional parameters <c>$1..$n</c>. Parameter values are string, long, decimal,
/// double, bool, DateOnly, TimeOnly or UTC DateTimeOffset and never null; Npgsql infers their types
/// (text, bigint, numeric, double precision, boolean, date, time, timestamptz), so the SQL carries no casts.
/// </summary>
public sealed class CompiledQuery
{
    private readonly string? cursorHash;
    private readonly int[] cursorOrdinals;
    private readonly FieldType?[] cursorTypes;

    internal CompiledQuery(string sql, IReadOnlyList<object> parameters, IReadOnlyList<ResultColumn> columns, int pageSize, int fetchLimit, string? cursorHash, int[] cursorOrdinals, FieldType?[] cursorTypes)
    {
        Sql = sql;
        Parameters = parameters;
        Columns = columns;
        PageSize = pageSize;
        FetchLimit = fetchLimit;
        this.cursorHash = cursorHash;
        this.cursorOrdinals = cursorOrdinals;
        this.cursorTypes = cursorTypes;
    }

    public string Sql { get; }

    public IReadOnlyList<object> Parameters { get; }

    /// <summary>Columns of each result row in order; values of a row are read by ordinal.</summary>
    public IReadOnlyList<ResultColumn> Columns { get; }

    /// <summary>Rows the caller returns; the query fetches <see cref="FetchLimit"/> = PageSize + 1 to learn whether another page exists.</summary>
    public int PageSize { get; }

    public int FetchLimit { get; }

    /// <summary>What the query looks like without its values (recorded per version for adaptive indexes).</summary>
    public QueryShape? Shape { get; internal set; }

    /// <summary>True when pages continue by cursor (ungrouped queries); grouped queries page by offset.</summary>
    public bool SupportsCursor => cursorHash is not null;

    /// <summary>
    /// The cursor of the page that follows <paramref name="lastRow"/>, the last row returned
    /// (all its values in <see cref="Columns"/> order, as read from the data reader).
    /// </summary>
    public string CreateCursor(IReadOnlyList<object?> lastRow)
    {
        if (cursorHash is null)
        {
            throw new InvalidOperationException("Grouped queries page by offset and have no cursor.");
        }

        if (lastRow.Count != Columns.Count)
        {
            throw new ArgumentException($"Expected {Columns.Count} values, one per column.", nameof(lastRow));
        }

        return Cursor.Encode(cursorHash, cursorTypes, cursorOrdinals.Select(i => lastRow[i]).ToArray());
    }

    /// <summary>The same query with other values for its parameters (same count, same kinds): see <see cref="KeyLookup"/>.</summary>
    internal CompiledQuery WithParameters(IReadOnlyList<object> parameters) =>
        new(Sql, parameters, Columns, PageSize, FetchLimit, cursorHash, cursorOrdinals, cursorTypes) { Shape = Shape };

    /// <summary>Unnamed (positional) Npgsql parameters in order.</summary>
    public IEnumerable<NpgsqlParameter> ToNpgsqlParameters() => Parameters.Select(p => new NpgsqlParameter { Value = p });
}

/// <summary>Compiles a <see cref="RowQuery"/> to SQL, checking every name, type and limit on the way.</summary>
public sealed class QueryCompiler(QueryLimits? limits = null)
{
    public static readonly QueryCompiler Default = new();

    public QueryLimits Limits { get; } = limits ?? QueryLimits.Default;

    /// <summary>
    /// Throws <see cref="QueryException"/> when the query's filter is wrong (names, types, operators, grants,
    /// complexity): the filter alone, as <see cref="Compile"/> checks it, without writing the rest of the SQL,
    /// the cursor hash or the shape. The REST parser checks each condition this way, so it names the parameter at fault.
    /// </summary>
    public void ValidateFilter(RowQuery query) => AddFilter(query, new ParameterList(), []);

    public CompiledQuery Compile(RowQuery query)
    {
        var ps = new ParameterList();
        var where = new List<string>();
        var filterSql = AddFilter(query, ps, where);
        CheckPaging(query);
        var compiled = query.IsGrouped ? CompileGrouped(query, ps, where) : CompileRows(query, ps, where, filterSql);
        compiled.Shape = QueryShape.Of(query, query.IsGrouped ? QueryShape.Grouped : QueryShape.Rows);
        return compiled;
    }

    /// <summary>
    /// The number of rows (or of groups) the query matches, ignoring paging. Without a filter it is the version's row
    /// count stored at publish (<c>catalog.versions.row_count</c>: versions are immutable), read by table name, never a
    /// <c>count(*)</c>; with a filter an exact <c>count(*)</c>, whose cost is that of reading every matching row (an
    /// index-only scan where the index plan covers the filter).
    /// </summary>
    public CompiledQuery CompileCount(RowQuery query)
    {
        var ps = new ParameterList();
        var where = new List<string>();
        AddFilter(query, ps, where);
        var from = "FROM " + query.Shape.QualifiedName + Where(where);
        string sql;
        if (query.IsGrouped)
        {
            var groups = GroupKeys(query);
            _ = Aggregates(query, groups);
            sql = groups.Count == 0
                ? "SELECT 1::bigint AS \"count\""
                : $"SELECT count(*) AS \"count\" FROM (SELECT 1 {from} GROUP BY {string.Join(", ", groups.Select(g => Sql.QuoteIdentifier(g.Name)))}) AS g";
        }
        else if (where.Count == 0 && query.Shape.Schema == "data")
        {
            // COALESCE stops at the first non-null argument: the count(*) runs only for a table no version names.
            sql = $"SELECT COALESCE((SELECT row_count FROM catalog.versions WHERE table_name = {ps.Add(query.Shape.Table)}), (SELECT count(*) {from})) AS \"count\"";
        }
        else
        {
            sql = $"SELECT count(*) AS \"count\" {from}";
        }

        return new CompiledQuery(sql, ps.Values, [new ResultColumn("count", FieldType.BigInt)], 1, 1, null, [], [])
        {
            Shape = QueryShape.Of(query, query.IsGrouped ? QueryShape.Grouped : QueryShape.Count),
        };
    }

    private string AddFilter(RowQuery query, ParameterList ps, List<string> where)
    {
        if (query.Filter is null)
        {
            return "";
        }

        Complexity.Check(query.Filter, Limits, "filter");
        var compiler = new ExprCompiler(query.Shape, ps, "filter", query.AllowedFields);
        if (query.Filter is AndExpr and)
        {
            // Top-level conjuncts are written without the outer parentheses to keep the SQL readable.
            where.AddRange(and.Operands.Select(o => { Complexity.Check(o, Limits, "filter"); return compiler.CompileCondition(o).Sql; }));
        }
        else
        {
            where.Add(compiler.CompileCondition(query.Filter).Sql);
        }

        return string.Join(" AND ", where);
    }

    private void CheckPaging(RowQuery query)
    {
        if (query.Limit < 0 || query.Limit > Limits.MaxLimit)
        {
            throw new QueryException(QueryErrorCodes.LimitExceeded, $"limit must be between 0 and {Limits.MaxLimit}; it was {query.Limit}.", "limit");
        }

        if (query.Offset is { } offset && (offset < 0 || offset > Limits.MaxOffset))
        {
            throw new QueryException(QueryErrorCodes.LimitExceeded, $"offset must be between 0 and {Limits.MaxOffset}; it was {offset}. Use the cursor (after) to page deeper.", "offset");
        }

        if (query.Offset is not null && query.After is not null)
        {
            throw new QueryException(QueryErrorCodes.BadValue, "Use either offset or after (a cursor), not both.", "after");
        }

        if (query.IsGrouped && query.After is not null)
        {
            throw new QueryException(QueryErrorCodes.BadCursor, "Grouped results page by offset; after (a cursor) is not available with group_by or aggregate.", "after");
        }
    }

    private static CompiledQuery CompileRows(RowQuery query, ParameterList ps, List<string> where, string filterSql)
    {
        var shape = query.Shape;
        var resolver = new ExprCompiler(shape, ps, "select", query.AllowedFields);
        var selected = (query.Select ?? Readable(query)).Select(n => resolver.ResolveField(n, "select")).ToList();
        if (query.Select is { Count: 0 })
        {
            throw new QueryException(QueryErrorCodes.BadValue, "select needs at least one field.", "select");
        }

        if (selected.Count == 0)
        {
            throw QueryException.NoneGranted(query.AllowedFields!, shape.Fields.Select(f => f.Name));
        }

        RequireUnique(selected.Select(f => f.Name), "select");

        var orderResolver = new ExprCompiler(shape, ps, "order", query.AllowedFields);
        var keys = query.OrderBy.Select(k => (Field: orderResolver.ResolveField(k.Name, "order"), k.Descending)).ToList();
        RequireUnique(keys.Select(k => k.Field.Name), "order");

        // _row_id follows the common direction so the keyset predicate can stay a single row comparison.
        var rowIdDescending = keys.Count > 0 && keys.All(k => k.Descending);
        var columns = selected.Select(f => new ResultColumn(f.Name, f.Type)).ToList();
        var cursorOrdinals = new List<int>();
        foreach (var (field, _) in keys)
        {
            var at = columns.FindIndex(c => c.Name == field.Name);
            if (at < 0)
            {
                columns.Add(new ResultColumn(field.Name, field.Type, Hidden: true));
                at = columns.Count - 1;
            }

            cursorOrdinals.Add(at);
        }

        columns.Add(new ResultColumn(TableShape.RowIdColumn, FieldType.BigInt, Hidden: true));
        cursorOrdinals.Add(columns.Count - 1);

        var cursorKeys = keys.Select(k => (Column: k.Field.Name, Type: (FieldType?)k.Field.Type, k.Descending))
            .Append((Column: TableShape.RowIdColumn, Type: (FieldType?)null, Descending: rowIdDescending))
            .ToArray();
        var hash = Cursor.Hash(string.Join('\n', [
            "v1",
            shape.QualifiedName,
            string.Join(',', shape.Fields.Select(f => f.Name + ":" + f.Type.ToName())),
            filterSql,
            string.Join('\u001f', ps.Values.Select(ParameterText)),
            string.Join(',', cursorKeys.Select(k => k.Column + (k.Descending ? " desc" : " asc"))),
        ]));

        if (query.After is { } after)
        {
            var values = Cursor.Decode(after, hash, cursorKeys.Select(k => k.Type).ToArray());
            where.Add(Keyset.Predicate(cursorKeys.Select(k => (k.Column, k.Descending)).ToArray(), values, ps));
        }

        var sql = new StringBuilder("SELECT ")
            .AppendJoin(", ", columns.Select(c => Sql.QuoteIdentifier(c.Name)))
            .Append(" FROM ").Append(shape.QualifiedName)
            .Append(Where(where))
            .Append(" ORDER BY ").AppendJoin(", ", cursorKeys.Select(k => OrderTerm(k.Column, k.Descending, k.Type is null)));
        AppendPage(sql, query, ps);
        return new CompiledQuery(sql.ToString(), ps.Values, columns, query.Limit, query.Limit + 1, hash, [.. cursorOrdinals], cursorKeys.Select(k => k.Type).ToArray());
    }

    private static CompiledQuery CompileGrouped(RowQuery query, ParameterList ps, List<string> where)
    {
        var groups = GroupKeys(query);
        var aggregates = Aggregates(query, groups);
        var columns = groups.Select(g => new ResultColumn(g.Name, g.Type))
            .Concat(aggregates.Select(a => a.Column))
            .ToList();

        var order = new List<string>();
        foreach (var key in query.OrderBy)
        {
            if (!columns.Any(c => c.Name == key.Name))
            {
                var names = columns.Select(c => c.Name).ToArray();
                var matches = Names.CloseMatches(key.Name, names);
                throw new QueryException(
                    QueryErrorCodes.UnknownField,
                    $"Grouped results can be ordered by group keys and aggregate aliases only; '{ExprCompiler.Shorten(key.Name)}' is neither.{Names.DidYouMean(matches)} Allowed: {string.Join(", ", names)}.",
                    "order",
                    suggestions: matches);
            }

            order.Add(OrderTerm(key.Name, key.Descending, notNull: false));
        }

        RequireUnique(query.OrderBy.Select(k => k.Name), "order");
        if (query.OrderBy.Count == 0)
        {
            order.AddRange(groups.Select(g => OrderTerm(g.Name, descending: false, notNull: false)));
        }

        var sql = new StringBuilder("SELECT ")
            .AppendJoin(", ", groups.Select(g => Sql.QuoteIdentifier(g.Name)).Concat(aggregates.Select(a => a.Sql)))
            .Append(" FROM ").Append(query.Shape.QualifiedName)
            .Append(Where(where));
        if (groups.Count > 0)
        {
            sql.Append(" GROUP BY ").AppendJoin(", ", groups.Select(g => Sql.QuoteIdentifier(g.Name)));
        }

        if (order.Count > 0)
        {
            sql.Append(" ORDER BY ").AppendJoin(", ", order);
        }

        AppendPage(sql, query, ps);
        return new CompiledQuery(sql.ToString(), ps.Values, columns, query.Limit, query.Limit + 1, null, [], []);
    }

    private static List<FieldInfo> GroupKeys(RowQuery query)
    {
        var resolver = new ExprCompiler(query.Shape, new ParameterList(), "group_by", query.AllowedFields);
        var groups = (query.GroupBy ?? []).Select(n => resolver.ResolveField(n, "group_by")).ToList();
        RequireUnique(groups.Select(g => g.Name), "group_by");
        return groups;
    }

    private static List<(string Sql, ResultColumn Column)> Aggregates(RowQuery query, List<FieldInfo> groups)
    {
        var resolver = new ExprCompiler(query.Shape, new ParameterList(), "aggregate", query.AllowedFields);
        var result = new List<(string, ResultColumn)>();
        foreach (var agg in query.Aggregates ?? [])
        {
            var info = Operators.Aggregates[agg.Function];
            if (!Aggregate.IsValidAlias(agg.Alias))
            {
                throw new QueryException(QueryErrorCodes.BadValue, $"Alias '{ExprCompiler.Shorten(agg.Alias)}' is not valid: use letters, digits and _ (not first), at most 63 characters.", "aggregate");
            }

            if (groups.Any(g => g.Name == agg.Alias))
            {
                throw new QueryException(QueryErrorCodes.BadValue, $"Alias '{agg.Alias}' is also a group key; choose another name with 'as'.", "aggregate");
            }

            FieldType type;
            string sql;
            if (agg.Function == AggregateFunction.Count)
            {
                if (agg.Field is not null)
                {
                    throw new QueryException(QueryErrorCodes.BadValue, $"count() counts rows and takes no field; use count_distinct({agg.Field}) to count values.", "aggregate");
                }

                (type, sql) = (FieldType.BigInt, info.Template);
            }
            else
            {
                if (agg.Field is null)
                {
                    throw new QueryException(QueryErrorCodes.BadValue, $"{info.Key}() needs a field.", "aggregate");
                }

                var field = resolver.ResolveField(agg.Field, "aggregate");
                type = AggregateType(agg.Function, field, info.Key);
                sql = string.Format(CultureInfo.InvariantCulture, info.Template, Sql.QuoteIdentifier(field.Name));
            }

            result.Add((sql + " AS " + Sql.QuoteIdentifier(agg.Alias), new ResultColumn(agg.Alias, type)));
        }

        RequireUnique(result.Select(r => r.Item2.Name), "aggregate");
        return result;
    }

    /// <summary>PostgreSQL's result types: sum(integer) is bigint, sum(bigint) and avg of integers are numeric.</summary>
    private static FieldType AggregateType(AggregateFunction function, FieldInfo field, string key)
    {
        var numeric = field.Type.IsNumeric();
        return function switch
        {
            AggregateFunction.CountDistinct => FieldType.BigInt,
            AggregateFunction.Sum when numeric => field.Type switch
            {
                FieldType.Integer => FieldType.BigInt,
                FieldType.BigInt => FieldType.Decimal,
                _ => field.Type,
            },
            AggregateFunction.Avg when numeric => field.Type == FieldType.Double ? FieldType.Double : FieldType.Decimal,
            AggregateFunction.Min or AggregateFunction.Max when field.Type != FieldType.Boolean => field.Type,
            _ => throw new QueryException(
                QueryErrorCodes.TypeMismatch,
                $"{key}({field.Name}) is not possible: field '{field.Name}' is {field.Type.ToName()}{(function is AggregateFunction.Min or AggregateFunction.Max ? "" : "; it needs a number")}.",
                "aggregate"),
        };
    }

    /// <summary>The fields returned when the query names none: all of them, or those the caller may read, in ordinal order.</summary>
    private static string[] Readable(RowQuery query) =>
        query.Shape.Fields.Where(f => query.AllowedFields is not { } allowed || allowed.Contains(f.Name) || f.Name == TableShape.RowIdColumn).Select(f => f.Name).ToArray();

    private static void AppendPage(StringBuilder sql, RowQuery query, ParameterList ps)
    {
        sql.Append(" LIMIT ").Append(ps.Add((long)query.Limit + 1));
        if (query.Offset is { } offset)
        {
            sql.Append(" OFFSET ").Append(ps.Add(offset));
        }
    }

    /// <summary>Nulls sort as the largest value in both directions: NULLS LAST ascending, NULLS FIRST descending (PostgreSQL's default, stated explicitly).</summary>
    private static string OrderTerm(string column, bool descending, bool notNull) =>
        Sql.QuoteIdentifier(column) + (descending ? " DESC" : " ASC") + (notNull ? "" : descending ? " NULLS FIRST" : " NULLS LAST");

    private static string Where(List<string> where) => where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where);

    private static void RequireUnique(IEnumerable<string> names, string part)
    {
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new QueryException(QueryErrorCodes.BadValue, $"'{ExprCompiler.Shorten(duplicate.Key)}' appears twice in {part}.", part);
        }
    }

    private static string ParameterText(object value) => value.GetType().Name + ":" + (value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value.ToString());
}
