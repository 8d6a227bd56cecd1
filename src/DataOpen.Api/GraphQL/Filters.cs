using System.Collections;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using GraphQL.Types;
using FieldType = DataOpen.Core.Catalog.FieldType;

namespace DataOpen.Api.GraphQL;

/// <summary>The per-column-type filter inputs (StringFilter, IntFilter, …) of one schema build.</summary>
internal sealed class FilterTypes
{
    private readonly Dictionary<FieldType, InputObjectGraphType> byType = [];

    public FilterTypes(CommonTypes c)
    {
        foreach (var type in Enum.GetValues<FieldType>())
        {
            var scalar = c.For(type);
            var name = type switch
            {
                FieldType.Integer => "IntFilter",
                FieldType.BigInt => "BigIntFilter",
                FieldType.Decimal => "DecimalFilter",
                FieldType.Double => "FloatFilter",
                FieldType.Boolean => "BooleanFilter",
                FieldType.Date => "DateFilter",
                FieldType.Timestamp => "DateTimeFilter",
                _ => "StringFilter",
            };
            var input = new InputObjectGraphType
            {
                Name = name,
                Description = $"Conditions on a {type.ToName()} column; all given conditions must hold. An operator given null is ignored, so optional variables pass straight through.",
            };
            input.AddField(new GraphQLFieldType("eq", scalar, "Equals."));
            input.AddField(new GraphQLFieldType("ne", scalar, "Does not equal (rows where the column is empty do not match)."));
            if (type != FieldType.Boolean)
            {
                input.AddField(new GraphQLFieldType("gt", scalar, "Greater than."));
                input.AddField(new GraphQLFieldType("gte", scalar, "Greater than or equal to."));
                input.AddField(new GraphQLFieldType("lt", scalar, "Less than."));
                input.AddField(new GraphQLFieldType("lte", scalar, "Less than or equal to."));
            }

            input.AddField(new GraphQLFieldType("in", new ListGraphType(scalar), "One of these values (at most 1,000); a null in the list also matches empty values."));
            input.AddField(new GraphQLFieldType("isNull", c.Boolean, "true: the column is empty; false: it is not."));
            if (type == FieldType.Text)
            {
                input.AddField(new GraphQLFieldType("contains", scalar, "Contains this text (case-sensitive; % and _ are literal)."));
                input.AddField(new GraphQLFieldType("startsWith", scalar, "Starts with this text."));
                input.AddField(new GraphQLFieldType("endsWith", scalar, "Ends with this text."));
            }

            byType[type] = input;
        }
    }

    public InputObjectGraphType For(FieldType type) => byType[type];
}

/// <summary>An input field declared at run time.</summary>
internal sealed class GraphQLFieldType : global::GraphQL.Types.FieldType
{
    public GraphQLFieldType(string name, IGraphType type, string? description, object? defaultValue = null)
    {
        Name = name;
        ResolvedType = type;
        Description = description;
        DefaultValue = defaultValue;
    }
}

/// <summary>Turns a parsed filter input object into an engine <see cref="Expr"/>.</summary>
internal static class FilterTranslator
{
    private const int MaxNesting = 32;

    /// <summary>The filter as an expression; columns maps GraphQL input field names to dataset field names.</summary>
    public static Expr? Translate(object? input, IReadOnlyDictionary<string, string> columns, string path = "filter", int depth = 0)
    {
        if (input is null)
        {
            return null;
        }

        if (depth > MaxNesting)
        {
            throw new QueryException(QueryErrorCodes.TooComplex, $"{path} nests and/or/not deeper than {MaxNesting} levels.", path);
        }

        if (input is not IDictionary<string, object?> map)
        {
            throw new QueryException(QueryErrorCodes.BadValue, $"{path} must be an input object.", path);
        }

        var parts = new List<Expr>();
        foreach (var (key, value) in map)
        {
            if (value is null)
            {
                continue;
            }

            switch (key)
            {
                case "and":
                    parts.AddRange(Items(value).Select((v, i) => Translate(v, columns, $"{path}.and[{i}]", depth + 1)).OfType<Expr>());
                    break;
                case "or":
                    var items = Items(value).ToList();
                    if (items.Count == 0)
                    {
                        throw new QueryException(QueryErrorCodes.BadValue, $"{path}.or needs at least one filter.", path + ".or");
                    }

                    var alternatives = items.Select((v, i) => Translate(v, columns, $"{path}.or[{i}]", depth + 1)).ToList();
                    // An empty alternative matches every row, and so does the whole or.
                    if (alternatives.All(a => a is not null))
                    {
                        parts.Add(Expr.Or(alternatives.Cast<Expr>().ToArray()));
                    }

                    break;
                case "not":
                    if (Translate(value, columns, path + ".not", depth + 1) is { } inner)
                    {
                        parts.Add(Expr.Not(inner));
                    }

                    break;
                default:
                    if (!columns.TryGetValue(key, out var field))
                    {
                        throw new QueryException(QueryErrorCodes.UnknownField, $"{path}.{key} is not a column of this dataset.", $"{path}.{key}");
                    }

                    parts.AddRange(Column(field, value, $"{path}.{key}"));
                    break;
            }
        }

        return parts.Count == 0 ? null : Expr.And(parts.ToArray());
    }

    private static IEnumerable<object?> Items(object value) => value is IEnumerable list and not string ? list.Cast<object?>() : [value];

    private static IEnumerable<Expr> Column(string field, object value, string path)
    {
        if (value is not IDictionary<string, object?> ops)
        {
            throw new QueryException(QueryErrorCodes.BadValue, $"{path} must be an input object of operators.", path);
        }

        var f = Expr.Field(field);
        foreach (var (op, operand) in ops)
        {
            if (operand is null)
            {
                continue;
            }

            yield return op switch
            {
                "eq" => Expr.Eq(f, Const(operand)),
                "ne" => Expr.Ne(f, Const(operand)),
                "gt" => Expr.Gt(f, Const(operand)),
                "gte" => Expr.Ge(f, Const(operand)),
                "lt" => Expr.Lt(f, Const(operand)),
                "lte" => Expr.Le(f, Const(operand)),
                "in" => Expr.In(f, Items(operand).Select(Normalize).ToArray()),
                "isNull" => (bool)operand ? Expr.IsNull(f) : Expr.IsNotNull(f),
                "contains" => Expr.Call("contains", f, Const(operand)),
                "startsWith" => Expr.Call("startswith", f, Const(operand)),
                "endsWith" => Expr.Call("endswith", f, Const(operand)),
                _ => throw new QueryException(QueryErrorCodes.UnknownOperator, $"{path}.{op} is not an operator.", $"{path}.{op}"),
            };
        }
    }

    private static Constant Const(object value) => Expr.Const(Normalize(value));

    private static object? Normalize(object? value) => value switch
    {
        int i => (long)i,
        _ => value,
    };
}
