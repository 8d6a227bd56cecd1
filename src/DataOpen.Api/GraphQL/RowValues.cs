using DataOpen.Api.Rows;
using DataOpen.Core.Query;

namespace DataOpen.Api.GraphQL;

/// <summary>One row (or one group) as read by <see cref="QueryRunner"/>: values by output column name.</summary>
internal sealed class RowValue(object?[] values, IReadOnlyDictionary<string, int> index)
{
    public object?[] Values { get; } = values;

    public object? Get(string column) => index.TryGetValue(column, out var i) ? Values[i] : null;
}

/// <summary>One aggregate function's view of a group: sum.pm2_5 → the column holding sum(pm2_5).</summary>
internal sealed record AggregateView(RowValue Group, string Prefix);

internal sealed record RowEdge(RowValue Row, CompiledQuery Query);

internal sealed class RowConnection(IReadOnlyList<RowValue> rows, CompiledQuery? query, bool hasNext, bool hasPrevious, long? total) : IPageInfo
{
    public IReadOnlyList<RowValue> Rows { get; } = rows;

    public long? Total { get; } = total;

    public bool HasNextPage { get; } = hasNext;

    public bool HasPreviousPage { get; } = hasPrevious;

    public string? StartCursor => Rows.Count > 0 && query is not null ? query.CreateCursor(Rows[0].Values) : null;

    public string? EndCursor => Rows.Count > 0 && query is not null ? query.CreateCursor(Rows[^1].Values) : null;

    public IEnumerable<RowEdge> Edges => query is null ? [] : Rows.Select(r => new RowEdge(r, query));
}
