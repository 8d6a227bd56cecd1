using System.Collections.Frozen;
using DataOpen.Core.Catalog;

namespace DataOpen.Core.Query;

/// <summary>The type of a compiled expression. Flags so that a function signature can accept several.</summary>
[Flags]
public enum ValueKind
{
    None = 0,
    Null = 1,
    Text = 2,
    Integer = 4,
    Decimal = 8,
    Double = 16,
    Boolean = 32,
    Date = 64,
    Timestamp = 128,
    Time = 256,
    Numeric = Integer | Decimal | Double,
}

public sealed record ComparisonInfo(ComparisonOperator Operator, string Key, string Sql, string Human);

public sealed record ArithmeticInfo(ArithmeticOperator Operator, string Key, string Sql, string Human);

/// <summary>
/// A function of the filter language. <see cref="Template"/> is a composite format string over the
/// compiled arguments ({0}, {1}, …); functions with a <see cref="LikePattern"/> compile to
/// <c>LIKE/ILIKE $n ESCAPE '\'</c> when their second argument is a literal, and to
/// <see cref="Template"/> otherwise.
/// </summary>
public sealed record FunctionInfo(
    string Name,
    IReadOnlyList<ValueKind> Parameters,
    int OptionalParameters,
    ValueKind Result,
    string Template,
    string Human,
    string? LikePattern = null,
    bool CaseInsensitive = false,
    bool Variadic = false)
{
    public int MinArguments => Parameters.Count - OptionalParameters;
}

public sealed record AggregateInfo(AggregateFunction Function, string Key, string Template, string Human);

/// <summary>
/// The operator tables (key → SQL template → human text, in the manner of datasette's TemplatedFilter).
/// The catalog page and the docs can list them; the compiler reads nothing else.
/// </summary>
public static class Operators
{
    public static readonly FrozenDictionary<ComparisonOperator, ComparisonInfo> Comparisons = new ComparisonInfo[]
    {
        new(ComparisonOperator.Eq, "eq", "=", "equals"),
        new(ComparisonOperator.Ne, "ne", "<>", "does not equal"),
        new(ComparisonOperator.Gt, "gt", ">", "is greater than"),
        new(ComparisonOperator.Ge, "ge", ">=", "is greater than or equal to"),
        new(ComparisonOperator.Lt, "lt", "<", "is less than"),
        new(ComparisonOperator.Le, "le", "<=", "is less than or equal to"),
    }.ToFrozenDictionary(c => c.Operator);

    public static readonly FrozenDictionary<ArithmeticOperator, ArithmeticInfo> ArithmeticOperators = new ArithmeticInfo[]
    {
        new(ArithmeticOperator.Add, "add", "+", "plus"),
        new(ArithmeticOperator.Sub, "sub", "-", "minus"),
        new(ArithmeticOperator.Mul, "mul", "*", "times"),
        new(ArithmeticOperator.Div, "div", "/", "divided by (integer division when both sides are integers)"),
        new(ArithmeticOperator.Mod, "mod", "%", "modulo"),
    }.ToFrozenDictionary(a => a.Operator);

    private const ValueKind DateOrTimestamp = ValueKind.Date | ValueKind.Timestamp;
    private const ValueKind TimestampOrTime = ValueKind.Timestamp | ValueKind.Time;

    /// <summary>
    /// Date parts of timestamps are taken in the session time zone; the reader connection sets it to
    /// the platform's zone (Asia/Shanghai) so that year(observed_at) means the local year.
    /// </summary>
    public static readonly FrozenDictionary<string, FunctionInfo> Functions = new FunctionInfo[]
    {
        new("contains", [ValueKind.Text, ValueKind.Text], 0, ValueKind.Boolean, "strpos({0}, {1}) > 0", "contains", LikePattern: "%{0}%"),
        new("icontains", [ValueKind.Text, ValueKind.Text], 0, ValueKind.Boolean, "strpos(lower({0}), lower({1})) > 0", "contains (ignoring case)", LikePattern: "%{0}%", CaseInsensitive: true),
        new("startswith", [ValueKind.Text, ValueKind.Text], 0, ValueKind.Boolean, "starts_with({0}, {1})", "starts with", LikePattern: "{0}%"),
        new("istartswith", [ValueKind.Text, ValueKind.Text], 0, ValueKind.Boolean, "starts_with(lower({0}), lower({1}))", "starts with (ignoring case)", LikePattern: "{0}%", CaseInsensitive: true),
        new("endswith", [ValueKind.Text, ValueKind.Text], 0, ValueKind.Boolean, "right({0}, char_length({1})) = {1}", "ends with", LikePattern: "%{0}"),
        new("iendswith", [ValueKind.Text, ValueKind.Text], 0, ValueKind.Boolean, "lower(right({0}, char_length({1}))) = lower({1})", "ends with (ignoring case)", LikePattern: "%{0}", CaseInsensitive: true),
        new("tolower", [ValueKind.Text], 0, ValueKind.Text, "lower({0})", "lower case of"),
        new("toupper", [ValueKind.Text], 0, ValueKind.Text, "upper({0})", "upper case of"),
        new("trim", [ValueKind.Text], 0, ValueKind.Text, "btrim({0})", "without leading and trailing spaces"),
        new("length", [ValueKind.Text], 0, ValueKind.Integer, "char_length({0})", "number of characters of"),
        new("indexof", [ValueKind.Text, ValueKind.Text], 0, ValueKind.Integer, "(strpos({0}, {1}) - 1)", "zero-based position (-1 when absent) of"),
        new("substring", [ValueKind.Text, ValueKind.Integer, ValueKind.Integer], 1, ValueKind.Text, "substr({0}, ({1} + 1)::integer)", "part from a zero-based position of"),
        new("concat", [ValueKind.Text, ValueKind.Text], 0, ValueKind.Text, "({0} || {1})", "joined text of", Variadic: true),
        new("year", [DateOrTimestamp], 0, ValueKind.Integer, "CAST(EXTRACT(YEAR FROM {0}) AS integer)", "year of"),
        new("month", [DateOrTimestamp], 0, ValueKind.Integer, "CAST(EXTRACT(MONTH FROM {0}) AS integer)", "month of"),
        new("day", [DateOrTimestamp], 0, ValueKind.Integer, "CAST(EXTRACT(DAY FROM {0}) AS integer)", "day of month of"),
        new("hour", [TimestampOrTime], 0, ValueKind.Integer, "CAST(EXTRACT(HOUR FROM {0}) AS integer)", "hour of"),
        new("minute", [TimestampOrTime], 0, ValueKind.Integer, "CAST(EXTRACT(MINUTE FROM {0}) AS integer)", "minute of"),
        new("second", [TimestampOrTime], 0, ValueKind.Integer, "CAST(floor(EXTRACT(SECOND FROM {0})) AS integer)", "whole seconds of"),
        new("date", [ValueKind.Timestamp], 0, ValueKind.Date, "CAST({0} AS date)", "date part of"),
        new("time", [ValueKind.Timestamp], 0, ValueKind.Time, "CAST({0} AS time)", "time of day of"),
    }.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);

    /// <summary>Templates of the three-argument forms whose SQL differs from the two-argument one.</summary>
    internal const string SubstringWithLength = "substr({0}, ({1} + 1)::integer, ({2})::integer)";

    public static readonly FrozenDictionary<AggregateFunction, AggregateInfo> Aggregates = new AggregateInfo[]
    {
        new(AggregateFunction.Count, "count", "count(*)", "number of rows"),
        new(AggregateFunction.CountDistinct, "count_distinct", "count(DISTINCT {0})", "number of distinct values of"),
        new(AggregateFunction.Sum, "sum", "sum({0})", "sum of"),
        new(AggregateFunction.Avg, "avg", "avg({0})", "average of"),
        new(AggregateFunction.Min, "min", "min({0})", "smallest value of"),
        new(AggregateFunction.Max, "max", "max({0})", "largest value of"),
    }.ToFrozenDictionary(a => a.Function);

    public static ValueKind ToKind(this FieldType type) => type switch
    {
        FieldType.Integer or FieldType.BigInt => ValueKind.Integer,
        FieldType.Decimal => ValueKind.Decimal,
        FieldType.Double => ValueKind.Double,
        FieldType.Boolean => ValueKind.Boolean,
        FieldType.Date => ValueKind.Date,
        FieldType.Timestamp => ValueKind.Timestamp,
        _ => ValueKind.Text,
    };

    /// <summary>Words for error messages ("a number", "text").</summary>
    public static string Describe(this ValueKind kind) => kind switch
    {
        ValueKind.Null => "null",
        ValueKind.Text => "text",
        ValueKind.Integer => "an integer",
        ValueKind.Decimal or ValueKind.Double or ValueKind.Numeric => "a number",
        ValueKind.Boolean => "a boolean",
        ValueKind.Date => "a date",
        ValueKind.Timestamp => "a timestamp",
        ValueKind.Time => "a time of day",
        ValueKind.Date | ValueKind.Timestamp => "a date or timestamp",
        ValueKind.Timestamp | ValueKind.Time => "a timestamp or time of day",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
