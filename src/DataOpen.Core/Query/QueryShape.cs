using System.Text;
using DataOpen.Core.Catalog;

namespace DataOpen.Core.Query;

/// <summary>How a field is filtered, as far as an index is concerned.</summary>
public static class ShapeOperators
{
    /// <summary>Equality with one value (or an IN list): a B-tree's leading columns.</summary>
    public const string Eq = "eq";

    public const string In = "in";

    /// <summary>gt, ge, lt or le: a B-tree column after the equality columns.</summary>
    public const string Range = "range";

    public const string IsNull = "null";

    public const string NotNull = "notnull";

    public const string Ne = "ne";

    /// <summary>Anything else on a field (a function, arithmetic, a term under OR or NOT): no plain B-tree serves it.</summary>
    public const string Other = "other";

    /// <summary>The operators a B-tree on the field itself can serve.</summary>
    public static bool IsIndexable(string op) => op is Eq or In or Range or IsNull;
}

/// <summary>One filtered field of a shape and how it is filtered (values are never part of a shape).</summary>
public sealed record ShapeFilter(string Field, string Op);

/// <summary>One order key of a shape; the engine's own <c>_row_id</c> ends every row order.</summary>
public sealed record ShapeOrder(string Field, bool Descending);

/// <summary>
/// What a query looks like without its values: the version's table, the filtered fields with their operators,
/// the order, and whether it reads rows, counts them or groups them. Queries with the same shape are served
/// well by the same index, so the service counts and times them per shape (adaptive indexes).
/// <see cref="Key"/> is a canonical text: <c>rows|station:eq,value:range|measured_at:desc,_row_id:desc</c>.
/// </summary>
public sealed record QueryShape(string Schema, string Table, string Kind, IReadOnlyList<ShapeFilter> Filters, IReadOnlyList<ShapeOrder> Order)
{
    public const string Rows = "rows";
    public const string Count = "count";
    public const string Grouped = "grouped";

    public string Key { get; } = BuildKey(Kind, Filters, Order);

    /// <summary>The shape of a row query (<paramref name="kind"/> <see cref="Rows"/>, <see cref="Count"/> or <see cref="Grouped"/>).</summary>
    public static QueryShape Of(RowQuery query, string kind)
    {
        var filters = new SortedSet<(string Field, string Op)>();
        if (query.Filter is { } filter)
        {
            Collect(filter, filters, plain: true);
        }

        var order = new List<ShapeOrder>();
        if (kind == Rows)
        {
            order.AddRange(query.OrderBy.Select(k => new ShapeOrder(k.Name, k.Descending)));
            // The compiler ends every row order in _row_id, following the common direction.
            order.Add(new ShapeOrder(TableShape.RowIdColumn, query.OrderBy.Count > 0 && query.OrderBy.All(k => k.Descending)));
        }
        else if (kind == Grouped)
        {
            order.AddRange((query.GroupBy ?? []).Select(g => new ShapeOrder(g, false)));
        }

        return new QueryShape(query.Shape.Schema, query.Shape.Table, kind, filters.Select(f => new ShapeFilter(f.Field, f.Op)).ToList(), order);
    }

    private static void Collect(Expr e, SortedSet<(string, string)> into, bool plain)
    {
        switch (e)
        {
            case AndExpr and:
                foreach (var o in and.Operands)
                {
                    Collect(o, into, plain);
                }

                break;
            case OrExpr or:
                foreach (var o in or.Operands)
                {
                    Collect(o, into, plain: false);
                }

                break;
            case NotExpr not:
                Collect(not.Operand, into, plain: false);
                break;
            case Comparison { Left: FieldRef f, Right: Constant } c when plain:
                into.Add((f.Name, OpOf(c.Operator)));
                break;
            case Comparison { Left: Constant, Right: FieldRef f } c when plain:
                into.Add((f.Name, OpOf(c.Operator)));
                break;
            case InExpr { Operand: FieldRef f } in1 when plain:
                into.Add((f.Name, in1.Values.Count == 1 ? ShapeOperators.Eq : ShapeOperators.In));
                break;
            case IsNullExpr { Operand: FieldRef f } isNull when plain:
                into.Add((f.Name, isNull.Negated ? ShapeOperators.NotNull : ShapeOperators.IsNull));
                break;
            default:
                foreach (var field in Fields(e))
                {
                    into.Add((field, ShapeOperators.Other));
                }

                break;
        }
    }

    private static string OpOf(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Eq => ShapeOperators.Eq,
        ComparisonOperator.Ne => ShapeOperators.Ne,
        _ => ShapeOperators.Range,
    };

    /// <summary>Every field an expression names.</summary>
    private static IEnumerable<string> Fields(Expr e) => e switch
    {
        FieldRef f => [f.Name],
        Comparison c => Fields(c.Left).Concat(Fields(c.Right)),
        AndExpr a => a.Operands.SelectMany(Fields),
        OrExpr o => o.Operands.SelectMany(Fields),
        NotExpr n => Fields(n.Operand),
        InExpr i => Fields(i.Operand),
        IsNullExpr n => Fields(n.Operand),
        FunctionCall call => call.Arguments.SelectMany(Fields),
        Arithmetic a => Fields(a.Left).Concat(Fields(a.Right)),
        Negate n => Fields(n.Operand),
        _ => [],
    };

    private static string BuildKey(string kind, IReadOnlyList<ShapeFilter> filters, IReadOnlyList<ShapeOrder> order)
    {
        var sb = new StringBuilder(kind).Append('|');
        sb.AppendJoin(',', filters.Select(f => f.Field + ":" + f.Op)).Append('|');
        sb.AppendJoin(',', order.Select(o => o.Field + (o.Descending ? ":desc" : ":asc")));
        return sb.ToString();
    }
}
