using System.Collections.Frozen;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;
using Microsoft.OData.UriParser.Aggregation;

namespace DataOpen.Api.OData;

/// <summary>
/// What a request asks of one entity set after translation: the engine's clauses plus what the
/// writer needs (selected properties, grouped output). Paging fields are filled by the endpoint.
/// </summary>
public sealed record ODataPlan(
    Expr? Filter,
    IReadOnlyList<string> Columns,
    bool IncludeKey,
    IReadOnlyList<SortKey> OrderBy,
    IReadOnlyList<string>? GroupBy,
    IReadOnlyList<Aggregate>? Aggregates,
    bool SelectExplicit,
    bool KeyOnly = false,
    IReadOnlySet<string>? AllowedFields = null,
    IReadOnlyList<string>? Visible = null)
{
    /// <summary>
    /// Columns written to the client: none but the key when only the key was selected; never the key columns
    /// appended only so that full metadata can write <c>@odata.id</c>.
    /// </summary>
    public IReadOnlyList<string> OutputColumns => KeyOnly ? [] : Visible ?? Columns;

    /// <summary>
    /// With full metadata every entity needs its id, built from the declared key: key columns a <c>$select</c> left out
    /// are read too (after the selected ones, not written as properties) where the caller may read them.
    /// </summary>
    public ODataPlan WithKeyColumns(ODataSet set)
    {
        if (IsGrouped || !set.HasDeclaredKey)
        {
            return this;
        }

        var missing = set.EntityKey.Select(k => k.Column).Where(c => !Columns.Contains(c) && (AllowedFields is null || AllowedFields.Contains(c))).ToList();
        return missing.Count == 0 ? this : this with { Columns = [.. Columns, .. missing], Visible = Columns };
    }

    public bool IsGrouped => GroupBy is { Count: > 0 } || Aggregates is { Count: > 0 };

    public RowQuery ToRowQuery(TableShape shape) => new(shape)
    {
        Filter = Filter,
        Select = IsGrouped ? null : Columns,
        OrderBy = OrderBy,
        GroupBy = GroupBy,
        Aggregates = Aggregates,
        AllowedFields = AllowedFields,
    };
}

/// <summary>
/// Translates ODataLib's parse tree (FilterClause, OrderByClause, SelectExpandClause, ApplyClause)
/// into the shared engine's <see cref="RowQuery"/>/<see cref="Expr"/>; the engine type-checks and
/// compiles to SQL. Anything the engine cannot express is refused here with a 400 naming it.
/// </summary>
public static partial class ODataTranslator
{
    /// <summary>
    /// <paramref name="allowed"/>: the fields a limited grant covers (null: all). Without <c>$select</c>, and for
    /// <c>$select=*</c>, the properties written are then only those; any other property named anywhere is refused
    /// by the engine (403 <c>field_not_granted</c>).
    /// </summary>
    public static ODataPlan Translate(ODataSet set, FilterClause? filter, OrderByClause? orderBy, SelectExpandClause? select, ApplyClause? apply, IReadOnlySet<string>? allowed = null)
    {
        bool Readable(string column) => allowed is null || column == TableShape.RowIdColumn || allowed.Contains(column);

        var filters = new List<Expr>();
        List<string>? groupBy = null;
        List<Aggregate>? aggregates = null;

        foreach (var t in apply?.Transformations ?? [])
        {
            switch (t)
            {
                case FilterTransformationNode f when groupBy is null && aggregates is null:
                    filters.Add(Condition(set, f.FilterClause.Expression, "$apply", null));
                    break;
                case FilterTransformationNode:
                    throw ODataRequestException.Unsupported("filter() after groupby()/aggregate() (a filter on aggregated values) is not supported; put filter() before the grouping.", "$apply");
                case GroupByTransformationNode g when groupBy is null && aggregates is null:
                    groupBy = [];
                    foreach (var p in g.GroupingProperties)
                    {
                        if (p.ChildTransformations is { Count: > 0 } || p.Expression is not SingleValuePropertyAccessNode prop)
                        {
                            throw ODataRequestException.Unsupported($"groupby() takes properties of the entity set; '{p.Name}' is a path.", "$apply");
                        }

                        groupBy.Add(set.ColumnOf(prop.Property.Name));
                    }

                    aggregates = g.ChildTransformations switch
                    {
                        null => [],
                        AggregateTransformationNode a => Aggregates(set, a),
                        _ => throw ODataRequestException.Unsupported("groupby() takes only aggregate() as its second argument.", "$apply"),
                    };
                    break;
                case AggregateTransformationNode a when groupBy is null && aggregates is null:
                    groupBy = [];
                    aggregates = Aggregates(set, a);
                    break;
                case GroupByTransformationNode or AggregateTransformationNode:
                    throw ODataRequestException.Unsupported("Only one groupby() or aggregate() is supported in $apply.", "$apply");
                default:
                    throw ODataRequestException.Unsupported($"The $apply transformation '{t.Kind.ToString().ToLowerInvariant()}' is not supported; use filter, groupby and aggregate.", "$apply");
            }
        }

        var grouped = groupBy is { Count: > 0 } || aggregates is { Count: > 0 };
        if (filter is not null)
        {
            // $filter applies to the output of $apply: on grouped output it can only test group keys,
            // which is the same as filtering the rows before grouping.
            var groupKeys = grouped ? groupBy!.ToFrozenSet(StringComparer.Ordinal) : null;
            filters.Add(Condition(set, filter.Expression, "$filter", groupKeys));
        }

        var columns = new List<string>();
        var includeKey = set.Dataset is not null;
        var explicitSelect = false;
        var keyOnly = false;
        if (select is not null && !select.AllSelected)
        {
            if (grouped)
            {
                throw ODataRequestException.Unsupported("$select cannot be combined with groupby()/aggregate() in $apply: the result has exactly the grouping properties and the aliases.", "$select");
            }

            explicitSelect = true;
            includeKey = false;
            foreach (var item in select.SelectedItems)
            {
                switch (item)
                {
                    case WildcardSelectItem:
                        includeKey = set.Dataset is not null;
                        columns.AddRange(set.EntityType.StructuralProperties().Select(p => set.ColumnOf(p.Name)).Where(c => c != TableShape.RowIdColumn && Readable(c)));
                        break;
                    case PathSelectItem { SelectedPath.FirstSegment: PropertySegment ps } when item is PathSelectItem { SelectedPath.Count: 1 }:
                        var column = set.ColumnOf(ps.Property.Name);
                        if (column == TableShape.RowIdColumn)
                        {
                            includeKey = true;
                        }
                        else
                        {
                            columns.Add(column);
                        }

                        break;
                    case ExpandedNavigationSelectItem:
                        throw ODataRequestException.Unsupported("$expand is not supported: entity sets have no navigation properties.", "$expand");
                    default:
                        throw ODataRequestException.Unsupported("$select takes property names only.", "$select");
                }
            }

            columns = columns.Distinct(StringComparer.Ordinal).ToList();
            if (columns.Count == 0 && includeKey)
            {
                // The engine needs one field; the key comes from the hidden _row_id column anyway.
                columns.Add(set.ShapeFor(null).Fields.FirstOrDefault(f => f.Name != TableShape.RowIdColumn && Readable(f.Name))?.Name ?? throw NoneGranted(set, allowed!));
                keyOnly = true;
            }
        }
        else if (!grouped)
        {
            columns.AddRange(set.EntityType.StructuralProperties().Select(p => set.ColumnOf(p.Name)).Where(c => c != TableShape.RowIdColumn && Readable(c)));
            if (columns.Count == 0 && allowed is not null)
            {
                throw NoneGranted(set, allowed);
            }
        }

        var order = new List<SortKey>();
        for (var o = orderBy; o is not null; o = o.ThenBy)
        {
            var name = o.Expression switch
            {
                SingleValuePropertyAccessNode p => set.ColumnOf(p.Property.Name),
                SingleValueOpenPropertyAccessNode p when grouped => p.Name,
                ConvertNode { Source: SingleValuePropertyAccessNode p } => set.ColumnOf(p.Property.Name),
                ConvertNode { Source: SingleValueOpenPropertyAccessNode p } when grouped => p.Name,
                _ => throw ODataRequestException.Unsupported("$orderby takes properties (or, after $apply, grouping properties and aliases), not expressions.", "$orderby"),
            };
            order.Add(new SortKey(name, o.Direction == OrderByDirection.Descending));
        }

        return new ODataPlan(filters.Count == 0 ? null : Expr.And([.. filters]), columns, includeKey && !grouped, order, grouped ? groupBy : null, grouped ? aggregates : null, explicitSelect, keyOnly,
            set.Dataset is null ? null : allowed);
    }

    private static QueryException NoneGranted(ODataSet set, IReadOnlySet<string> allowed) =>
        QueryException.NoneGranted(allowed, set.ShapeFor(null).Fields.Select(f => f.Name).Where(n => n != TableShape.RowIdColumn));

    private static List<Aggregate> Aggregates(ODataSet set, AggregateTransformationNode node)
    {
        var result = new List<Aggregate>();
        foreach (var e in node.AggregateExpressions)
        {
            if (e is not AggregateExpression a)
            {
                throw ODataRequestException.Unsupported($"aggregate() over '{e.Alias}' is not supported; aggregate properties with sum, average, min, max, countdistinct or $count.", "$apply");
            }

            if (a.Method == AggregationMethod.VirtualPropertyCount)
            {
                result.Add(Aggregate.Count(a.Alias));
                continue;
            }

            var field = a.Expression switch
            {
                SingleValuePropertyAccessNode p => set.ColumnOf(p.Property.Name),
                ConvertNode { Source: SingleValuePropertyAccessNode p } => set.ColumnOf(p.Property.Name),
                _ => throw ODataRequestException.Unsupported($"aggregate() takes a property, not an expression (alias '{a.Alias}').", "$apply"),
            };
            result.Add(a.Method switch
            {
                AggregationMethod.Sum => Aggregate.Sum(field, a.Alias),
                AggregationMethod.Average => Aggregate.Avg(field, a.Alias),
                AggregationMethod.Min => Aggregate.Min(field, a.Alias),
                AggregationMethod.Max => Aggregate.Max(field, a.Alias),
                AggregationMethod.CountDistinct => Aggregate.CountDistinct(field, a.Alias),
                _ => throw ODataRequestException.Unsupported($"The aggregation method '{a.MethodDefinition?.MethodLabel ?? a.Method.ToString()}' is not supported; use sum, average, min, max, countdistinct or $count.", "$apply"),
            });
        }

        return result;
    }

    private static Expr Condition(ODataSet set, SingleValueNode node, string target, FrozenSet<string>? allowedFields) =>
        node.Accept(new ExprVisitor(set, target, allowedFields));

    /// <summary>OData functions the engine implements under the same name and argument order.</summary>
    public static readonly FrozenSet<string> Functions = new[]
    {
        "contains", "startswith", "endswith", "tolower", "toupper", "length", "indexof", "substring", "trim", "concat",
        "year", "month", "day", "hour", "minute", "second", "date", "time",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>An ODataLib literal (filter constant or key value) as the engine's constant; <paramref name="target"/> names the option in errors.</summary>
    public static Constant Literal(object? value, string target) => value switch
    {
        null => Constant.Null,
        int or long or short or byte or sbyte => Expr.Const(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)),
        decimal or double or string or bool => Expr.Const(value),
        float f => Expr.Const((double)f),
#pragma warning disable CS0618 // ODataLib 8 still parses date and time literals into its own Date/TimeOfDay types.
        Date d => Expr.Const(new DateOnly(d.Year, d.Month, d.Day)),
        TimeOfDay t => Expr.Const(new TimeOnly(t.Hours, t.Minutes, t.Seconds, (int)t.Milliseconds)),
#pragma warning restore CS0618
        DateOnly d => Expr.Const(d),
        TimeOnly t => Expr.Const(t),
        DateTimeOffset t => Expr.Const(t),
        _ => throw ODataRequestException.Unsupported($"Literals of type {value.GetType().Name} are not supported.", target),
    };

    private sealed partial class ExprVisitor(ODataSet set, string target, FrozenSet<string>? allowedFields) : QueryNodeVisitor<Expr>
    {
        /// <summary>The 400 for a node kind the engine has no translation for (see ODataTranslator.Unsupported.cs).</summary>
        private ODataRequestException Unsupported(QueryNode node) =>
            ODataRequestException.Unsupported($"A part of {target} ({node.Kind}) is not supported.", target);

        public override Expr Visit(BinaryOperatorNode nodeIn)
        {
            var left = nodeIn.Left.Accept(this);
            var right = nodeIn.Right.Accept(this);
            return nodeIn.OperatorKind switch
            {
                BinaryOperatorKind.And => Flatten<AndExpr>(left, right, a => a.Operands, ops => new AndExpr(ops)),
                BinaryOperatorKind.Or => Flatten<OrExpr>(left, right, o => o.Operands, ops => new OrExpr(ops)),
                BinaryOperatorKind.Equal => Expr.Eq(left, right),
                BinaryOperatorKind.NotEqual => Expr.Ne(left, right),
                BinaryOperatorKind.GreaterThan => Expr.Gt(left, right),
                BinaryOperatorKind.GreaterThanOrEqual => Expr.Ge(left, right),
                BinaryOperatorKind.LessThan => Expr.Lt(left, right),
                BinaryOperatorKind.LessThanOrEqual => Expr.Le(left, right),
                BinaryOperatorKind.Add => Expr.Add(left, right),
                BinaryOperatorKind.Subtract => Expr.Sub(left, right),
                BinaryOperatorKind.Multiply => Expr.Mul(left, right),
                BinaryOperatorKind.Divide => Expr.Div(left, right),
                BinaryOperatorKind.Modulo => Expr.Mod(left, right),
                _ => throw ODataRequestException.Unsupported($"The operator '{nodeIn.OperatorKind}' is not supported.", target),
            };
        }

        public override Expr Visit(UnaryOperatorNode nodeIn) => nodeIn.OperatorKind switch
        {
            UnaryOperatorKind.Not => Expr.Not(nodeIn.Operand.Accept(this)),
            UnaryOperatorKind.Negate => nodeIn.Operand.Accept(this) is Constant { Value: long or decimal or double } c ? Negated(c) : Expr.Neg(nodeIn.Operand.Accept(this)),
            _ => throw ODataRequestException.Unsupported($"The operator '{nodeIn.OperatorKind}' is not supported.", target),
        };

        // Implicit promotions (Int32 → Int64, → Decimal) are the engine's job: it coerces literals to the type they meet.
        public override Expr Visit(ConvertNode nodeIn) => nodeIn.Source.Accept(this);

        public override Expr Visit(ConstantNode nodeIn) => Literal(nodeIn.Value);

        public override Expr Visit(SingleValuePropertyAccessNode nodeIn)
        {
            var column = set.ColumnOf(nodeIn.Property.Name);
            if (allowedFields is not null && !allowedFields.Contains(column))
            {
                throw ODataRequestException.Unsupported($"After groupby(), $filter can test grouping properties only; '{nodeIn.Property.Name}' is not one. Put filter() before groupby() inside $apply.", target);
            }

            return Expr.Field(column);
        }

        public override Expr Visit(SingleValueOpenPropertyAccessNode nodeIn) =>
            throw ODataRequestException.Unsupported($"Filtering on the aggregated value '{nodeIn.Name}' is not supported; filter rows with filter() before groupby() inside $apply.", target);

        public override Expr Visit(SingleValueFunctionCallNode nodeIn)
        {
            if (!Functions.Contains(nodeIn.Name))
            {
                throw ODataRequestException.Unsupported($"The function '{nodeIn.Name}' is not supported. Supported: {string.Join(", ", Functions.Order(StringComparer.Ordinal))}.", target);
            }

            return Expr.Call(nodeIn.Name, [.. nodeIn.Parameters.Select(p => p is SingleValueNode s ? s.Accept(this) : throw ODataRequestException.Unsupported($"An argument of {nodeIn.Name}() is not a single value.", target))]);
        }

        public override Expr Visit(InNode nodeIn)
        {
            var operand = nodeIn.Left.Accept(this);
            if (nodeIn.Right is not CollectionConstantNode list)
            {
                throw ODataRequestException.Unsupported("'in' takes a list of literals, e.g. station in ('A','B').", target);
            }

            return new InExpr(operand, list.Collection.Select(c => Literal(c.Value)).ToArray());
        }

        public override Expr Visit(ParameterAliasNode nodeIn) =>
            throw ODataRequestException.Unsupported($"Parameter aliases ({nodeIn.Alias}) are not supported; write the value in place.", target);

        public override Expr Visit(AnyNode nodeIn) => throw NoCollections();

        public override Expr Visit(AllNode nodeIn) => throw NoCollections();

        public override Expr Visit(CountNode nodeIn) => throw NoCollections();

        public override Expr Visit(ResourceRangeVariableReferenceNode nodeIn) =>
            throw ODataRequestException.Unsupported($"The whole entity ({nodeIn.Name}) cannot be used in {target}; name one of its properties.", target);

        public override Expr Visit(SingleValueCastNode nodeIn) =>
            throw ODataRequestException.Unsupported("cast() is not supported; literals are converted to the type they are compared with.", target);

        private ODataRequestException NoCollections() =>
            ODataRequestException.Unsupported("Lambda operators and collection paths (any, all, $count of a collection) are not supported: entity sets have only single-valued properties.", target);

        private Constant Literal(object? value) => ODataTranslator.Literal(value, target);

        private static Constant Negated(Constant c) => c.Value switch
        {
            long l => Expr.Const(-l),
            decimal d => Expr.Const(-d),
            double d => Expr.Const(-d),
            _ => c,
        };

        private static Expr Flatten<T>(Expr left, Expr right, Func<T, IReadOnlyList<Expr>> operands, Func<IReadOnlyList<Expr>, T> make)
            where T : Expr
        {
            var list = new List<Expr>();
            list.AddRange(left is T l ? operands(l) : [left]);
            list.AddRange(right is T r ? operands(r) : [right]);
            return make(list);
        }
    }
}
