using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DataOpen.Core.Catalog;

namespace DataOpen.Core.Query.Rest;

/// <summary>One <c>field[op]=value</c> operator of the REST syntax: key → how it builds the condition → human text.</summary>
public sealed record RestOperator(string Key, string Human, Func<FieldRef, string, Expr> Build);

public sealed record RestQueryOptions
{
    public static readonly RestQueryOptions Default = new();

    public QueryLimits Limits { get; init; } = QueryLimits.Default;

    /// <summary>Parameters that belong to the door, not the query (format, lang, api_key, …).</summary>
    public IReadOnlySet<string> IgnoredParameters { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Names of the door's own parameters as its callers know them (e.g. <c>cursor</c>, <c>format</c>), offered
    /// with the reserved parameters and the fields when a parameter is neither (a misspelt option).
    /// </summary>
    public IReadOnlyList<string> DoorParameters { get; init; } = [];

    /// <summary>The fields the caller may read (<see cref="RowQuery.AllowedFields"/>); null means all.</summary>
    public IReadOnlySet<string>? AllowedFields { get; init; }
}

/// <summary>
/// Parses the query string of <c>GET /api/v1/datasets/{id}/rows</c> into a <see cref="RowQuery"/>.
/// Reserved parameters: filter, select, order, group_by, aggregate, limit, offset, after, count.
/// Every other parameter is a condition on a field: <c>field=value</c> or <c>field[op]=value</c>.
/// A field whose name is a reserved word is filtered with <c>field[eq]=…</c> or inside <c>filter=</c>.
/// Conditions are checked one by one so an error names the parameter that caused it.
/// </summary>
public static partial class RestQueryParser
{
    public static readonly IReadOnlyList<RestOperator> FieldOperators =
    [
        new("eq", "equals", (f, v) => Expr.Eq(f, Expr.Const(v))),
        new("ne", "does not equal", (f, v) => Expr.Ne(f, Expr.Const(v))),
        new("gt", "is greater than", (f, v) => Expr.Gt(f, Expr.Const(v))),
        new("ge", "is greater than or equal to", (f, v) => Expr.Ge(f, Expr.Const(v))),
        new("lt", "is less than", (f, v) => Expr.Lt(f, Expr.Const(v))),
        new("le", "is less than or equal to", (f, v) => Expr.Le(f, Expr.Const(v))),
        new("in", "is one of (comma separated; \\, for a comma, \\\\ for a backslash)", (f, v) => new InExpr(f, SplitList(v).Select(Constant.From).ToArray())),
        new("null", "is empty (true) or is not empty (false)", (f, v) => Literals.TryParseBoolean(v, out var isNull)
            ? new IsNullExpr(f, Negated: !isNull)
            : throw new QueryException(QueryErrorCodes.BadValue, $"[null] takes true or false, not '{ExprCompiler.Shorten(v)}'.")),
        new("contains", "contains", (f, v) => Expr.Call("contains", f, Expr.Const(v))),
        new("icontains", "contains, ignoring case", (f, v) => Expr.Call("icontains", f, Expr.Const(v))),
        new("startswith", "starts with", (f, v) => Expr.Call("startswith", f, Expr.Const(v))),
        new("istartswith", "starts with, ignoring case", (f, v) => Expr.Call("istartswith", f, Expr.Const(v))),
        new("endswith", "ends with", (f, v) => Expr.Call("endswith", f, Expr.Const(v))),
        new("iendswith", "ends with, ignoring case", (f, v) => Expr.Call("iendswith", f, Expr.Const(v))),
    ];

    public static readonly IReadOnlyList<string> ReservedParameters = ["filter", "select", "order", "group_by", "aggregate", "limit", "offset", "after", "count"];

    private static readonly Dictionary<string, RestOperator> OperatorsByKey = FieldOperators.ToDictionary(o => o.Key, StringComparer.Ordinal);

    public static RowQuery Parse(TableShape shape, IEnumerable<KeyValuePair<string, string?>> parameters, RestQueryOptions? options = null)
    {
        options ??= RestQueryOptions.Default;
        var limits = options.Limits;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var conditions = new List<Expr>();
        var query = new RowQuery(shape) { Limit = limits.DefaultLimit, AllowedFields = options.AllowedFields };
        var checker = new QueryCompiler(limits);

        foreach (var (key, rawValue) in parameters)
        {
            var value = rawValue ?? "";
            if (options.IgnoredParameters.Contains(key))
            {
                continue;
            }

            if (ReservedParameters.Contains(key))
            {
                if (!seen.Add(key))
                {
                    throw new QueryException(QueryErrorCodes.BadValue, $"'{key}' is given more than once.", key);
                }

                query = ApplyReserved(query, key, value, limits, conditions);
                continue;
            }

            var condition = ParseCondition(shape, key, value, options.DoorParameters);
            try
            {
                checker.ValidateFilter(new RowQuery(shape) { Filter = condition, Limit = 0, AllowedFields = options.AllowedFields });
            }
            catch (QueryException ex)
            {
                // The check ran the condition alone, so whatever it blames is this parameter.
                throw new QueryException(ex.Code, ex.Message, key, ex.Position, ex.Suggestions) { Field = ex.Field };
            }

            conditions.Add(condition);
        }

        if (conditions.Count > 0)
        {
            query = query with { Filter = conditions.Count == 1 ? conditions[0] : new AndExpr(conditions) };
        }

        return query;
    }

    /// <summary>Splits an [in] list on commas; <c>\,</c> is a literal comma and <c>\\</c> a backslash.</summary>
    public static IReadOnlyList<string> SplitList(string value)
    {
        var items = new List<string>();
        var sb = new StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            var ch = value[i];
            if (ch == '\\' && i + 1 < value.Length && value[i + 1] is ',' or '\\')
            {
                sb.Append(value[++i]);
            }
            else if (ch == ',')
            {
                items.Add(sb.ToString());
                sb.Clear();
            }
            else
            {
                sb.Append(ch);
            }
        }

        items.Add(sb.ToString());
        return items;
    }

    private static Expr ParseCondition(TableShape shape, string key, string value, IReadOnlyList<string> doorParameters)
    {
        var parameters = ReservedParameters.Concat(doorParameters).Distinct(StringComparer.Ordinal).ToList();
        var match = ConditionKey().Match(key);
        if (!match.Success)
        {
            // Not a name at all (api-key, open.class, …): offer the closest field or parameter all the same.
            var close = Names.CloseMatches(key, shape.Fields.Select(f => f.Name).Concat(parameters));
            throw new QueryException(QueryErrorCodes.BadSyntax,
                $"'{ExprCompiler.Shorten(key)}' is neither a query parameter ({string.Join(", ", parameters)}) nor a condition like field=value or field[op]=value.{Names.DidYouMean(close)}",
                ExprCompiler.Shorten(key), suggestions: close);
        }

        var name = match.Groups["field"].Value;
        if (!shape.TryGetField(name, out _))
        {
            var matches = Names.CloseMatches(name, shape.Fields.Select(f => f.Name).Concat(parameters));
            throw new QueryException(QueryErrorCodes.UnknownField,
                $"Unknown field or parameter '{name}'.{Names.DidYouMean(matches)} Fields: {string.Join(", ", shape.Fields.Select(f => f.Name))}. Parameters: {string.Join(", ", parameters)}.",
                key, suggestions: matches);
        }

        var opKey = match.Groups["op"].Success ? match.Groups["op"].Value : "eq";
        if (!OperatorsByKey.TryGetValue(opKey, out var op))
        {
            var matches = Names.CloseMatches(opKey, OperatorsByKey.Keys);
            throw new QueryException(QueryErrorCodes.UnknownOperator, $"Unknown operator '[{opKey}]'.{Names.DidYouMean(matches)} Operators: {string.Join(", ", OperatorsByKey.Keys)}.", key, suggestions: matches);
        }

        try
        {
            return op.Build(new FieldRef(name), value);
        }
        catch (QueryException ex)
        {
            throw ex.WithTarget(key);
        }
    }

    private static RowQuery ApplyReserved(RowQuery query, string key, string value, QueryLimits limits, List<Expr> conditions)
    {
        switch (key)
        {
            case "filter":
                conditions.Add(FilterExpressionParser.Parse(value, limits));
                return query;
            case "select":
                return query with { Select = NameList(value, key) };
            case "order":
                return query with { OrderBy = NameList(value, key).Select(n => n.StartsWith('-') ? SortKey.Desc(n[1..]) : SortKey.Asc(n.TrimStart('+'))).ToArray() };
            case "group_by":
                return query with { GroupBy = NameList(value, key) };
            case "aggregate":
                return query with { Aggregates = ParseAggregates(value) };
            case "limit":
                return query with { Limit = (int)Integer(value, key, int.MaxValue) };
            case "offset":
                return query with { Offset = Integer(value, key, long.MaxValue) };
            case "after":
                return query with { After = value };
            default:
                return Literals.TryParseBoolean(value, out var count)
                    ? query with { IncludeCount = count }
                    : throw new QueryException(QueryErrorCodes.BadValue, $"count takes true or false, not '{ExprCompiler.Shorten(value)}'.", key);
        }
    }

    private static long Integer(string value, string key, long max) =>
        Literals.TryParseInteger(value, out var n) && n >= 0 && n <= max
            ? n
            : throw new QueryException(QueryErrorCodes.BadValue, $"{key} must be a whole number ≥ 0, not '{ExprCompiler.Shorten(value)}'.", key);

    private static string[] NameList(string value, string key)
    {
        var names = value.Split(',').Select(n => n.Trim()).ToArray();
        if (names.Any(n => n.Length == 0 || n == "-"))
        {
            throw new QueryException(QueryErrorCodes.BadValue, $"{key} is a comma-separated list of names with no empty entries; got '{ExprCompiler.Shorten(value)}'.", key);
        }

        return names;
    }

    /// <summary><c>count(), sum(x) as total, avg(y), count_distinct(z), min(w), max(w)</c>.</summary>
    private static Aggregate[] ParseAggregates(string value)
    {
        var result = new List<Aggregate>();
        var offset = 0;
        foreach (var item in value.Split(','))
        {
            var match = AggregateItem().Match(item);
            if (!match.Success)
            {
                throw new QueryException(QueryErrorCodes.BadSyntax, $"Expected an aggregate like sum(field) or sum(field) as alias at position {offset}, found '{ExprCompiler.Shorten(item.Trim())}'.", "aggregate", offset);
            }

            var name = match.Groups["fn"].Value.ToLowerInvariant();
            var field = match.Groups["field"].Success ? match.Groups["field"].Value : null;
            var alias = match.Groups["alias"].Success ? match.Groups["alias"].Value : null;
            var info = Operators.Aggregates.Values.FirstOrDefault(a => a.Key == name);
            if (info is null)
            {
                var matches = Names.CloseMatches(name, Operators.Aggregates.Values.Select(a => a.Key));
                throw new QueryException(QueryErrorCodes.UnknownFunction, $"Unknown aggregate '{ExprCompiler.Shorten(name)}' at position {offset}.{Names.DidYouMean(matches)}", "aggregate", offset, matches);
            }

            result.Add(new Aggregate(info.Function, field, alias ?? (field is null ? info.Key : info.Key + "_" + field)));
            offset += item.Length + 1;
        }

        return [.. result];
    }

    [GeneratedRegex(@"^(?<field>[A-Za-z_][A-Za-z0-9_]*)(\[(?<op>[a-z_]*)\])?$")]
    private static partial Regex ConditionKey();

    [GeneratedRegex(@"^\s*(?<fn>[A-Za-z_]+)\s*\(\s*(?<field>[A-Za-z_][A-Za-z0-9_]*)?\s*\)\s*(?:\s[aA][sS]\s+(?<alias>\S+))?\s*$")]
    private static partial Regex AggregateItem();
}
