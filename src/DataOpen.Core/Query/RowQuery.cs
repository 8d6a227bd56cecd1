using System.Text.RegularExpressions;
using DataOpen.Core.Catalog;

namespace DataOpen.Core.Query;

public enum AggregateFunction
{
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
}

/// <summary>One order key: a field, or with group-by a group key or an aggregate alias.</summary>
public sealed record SortKey(string Name, bool Descending = false)
{
    public static SortKey Asc(string name) => new(name);

    public static SortKey Desc(string name) => new(name, true);
}

/// <summary>An aggregate output column: <c>count(*)</c> has no field; every other function needs one.</summary>
public sealed partial record Aggregate(AggregateFunction Function, string? Field, string Alias)
{
    public static Aggregate Count(string alias = "count") => new(AggregateFunction.Count, null, alias);

    public static Aggregate CountDistinct(string field, string? alias = null) => new(AggregateFunction.CountDistinct, field, alias ?? "count_distinct_" + field);

    public static Aggregate Sum(string field, string? alias = null) => new(AggregateFunction.Sum, field, alias ?? "sum_" + field);

    public static Aggregate Avg(string field, string? alias = null) => new(AggregateFunction.Avg, field, alias ?? "avg_" + field);

    public static Aggregate Min(string field, string? alias = null) => new(AggregateFunction.Min, field, alias ?? "min_" + field);

    public static Aggregate Max(string field, string? alias = null) => new(AggregateFunction.Max, field, alias ?? "max_" + field);

    /// <summary>Aliases become quoted output column names; the pattern keeps them portable to JSON, CSV headers and GraphQL.</summary>
    public static bool IsValidAlias(string alias) => AliasPattern().IsMatch(alias);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex AliasPattern();
}

/// <summary>
/// What a door asks of one dataset version: filter, projection, order, page and optional aggregation.
/// Build with an object initializer: <c>new RowQuery(shape) { Filter = …, OrderBy = [SortKey.Desc("pm25")], Limit = 50 }</c>.
/// Without <see cref="Offset"/> paging is by keyset: pass the previous page's cursor in <see cref="After"/>.
/// </summary>
public sealed record RowQuery(TableShape Shape)
{
    public Expr? Filter { get; init; }

    /// <summary>Fields to return, in this order; null means every field in ordinal order (every readable one, see <see cref="AllowedFields"/>).</summary>
    public IReadOnlyList<string>? Select { get; init; }

    /// <summary>
    /// The fields the caller may read (a grant limited to the fields its application named); null means all.
    /// Without <see cref="Select"/> only these are returned; naming any other field in select, filter, order,
    /// group_by or aggregate is a <see cref="QueryErrorCodes.FieldNotGranted"/> error. The engine's own
    /// row position column is always readable.
    /// </summary>
    public IReadOnlySet<string>? AllowedFields { get; init; }

    public IReadOnlyList<SortKey> OrderBy { get; init; } = [];

    /// <summary>Rows per page (0 allowed: only the count or the cursor columns matter).</summary>
    public int Limit { get; init; } = QueryLimits.Default.DefaultLimit;

    public long? Offset { get; init; }

    /// <summary>Opaque keyset cursor from <see cref="CompiledQuery.CreateCursor"/>.</summary>
    public string? After { get; init; }

    public IReadOnlyList<string>? GroupBy { get; init; }

    public IReadOnlyList<Aggregate>? Aggregates { get; init; }

    /// <summary>The door should also run <see cref="QueryCompiler.CompileCount"/> and report the total.</summary>
    public bool IncludeCount { get; init; }

    public bool IsGrouped => GroupBy is { Count: > 0 } || Aggregates is { Count: > 0 };
}

/// <summary>Guards that turn abusive queries into <see cref="QueryErrorCodes.TooComplex"/> or <see cref="QueryErrorCodes.LimitExceeded"/> errors.</summary>
public sealed record QueryLimits
{
    public static readonly QueryLimits Default = new();

    public int MaxDepth { get; init; } = 32;

    public int MaxNodes { get; init; } = 500;

    public int MaxInList { get; init; } = 1000;

    public int DefaultLimit { get; init; } = 100;

    public int MaxLimit { get; init; } = 10_000;

    /// <summary>Deep offsets make PostgreSQL read and discard every skipped row; cursors have no such cost.</summary>
    public long MaxOffset { get; init; } = 1_000_000;

    public int MaxFilterLength { get; init; } = 16_384;
}
