namespace DataOpen.Core.Query;

public enum ComparisonOperator
{
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

public enum ArithmeticOperator
{
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

/// <summary>
/// A filter or value expression. Immutable; build trees with the records below or the static
/// shortcuts (<c>Expr.Gt(Expr.Field("pm25"), Expr.Const(75))</c>). Names and types are checked
/// only when the tree is compiled against a <see cref="Catalog.TableShape"/>.
/// </summary>
public abstract record Expr
{
    public static FieldRef Field(string name) => new(name);

    /// <summary>A literal; see <see cref="Constant.From"/> for the accepted CLR types.</summary>
    public static Constant Const(object? value) => Constant.From(value);

    public static Comparison Eq(Expr left, Expr right) => new(ComparisonOperator.Eq, left, right);

    public static Comparison Ne(Expr left, Expr right) => new(ComparisonOperator.Ne, left, right);

    public static Comparison Gt(Expr left, Expr right) => new(ComparisonOperator.Gt, left, right);

    public static Comparison Ge(Expr left, Expr right) => new(ComparisonOperator.Ge, left, right);

    public static Comparison Lt(Expr left, Expr right) => new(ComparisonOperator.Lt, left, right);

    public static Comparison Le(Expr left, Expr right) => new(ComparisonOperator.Le, left, right);

    /// <summary>Conjunction; a single operand is returned as is.</summary>
    public static Expr And(params Expr[] operands) => operands.Length == 1 ? operands[0] : new AndExpr(operands);

    /// <summary>Disjunction; a single operand is returned as is.</summary>
    public static Expr Or(params Expr[] operands) => operands.Length == 1 ? operands[0] : new OrExpr(operands);

    public static NotExpr Not(Expr operand) => new(operand);

    public static InExpr In(Expr operand, params object?[] values) => new(operand, values.Select(Constant.From).ToArray());

    public static IsNullExpr IsNull(Expr operand) => new(operand);

    public static IsNullExpr IsNotNull(Expr operand) => new(operand, Negated: true);

    /// <summary>A function from <see cref="Operators.Functions"/> (contains, year, tolower, …).</summary>
    public static FunctionCall Call(string function, params Expr[] arguments) => new(function, arguments);

    public static Arithmetic Add(Expr left, Expr right) => new(ArithmeticOperator.Add, left, right);

    public static Arithmetic Sub(Expr left, Expr right) => new(ArithmeticOperator.Sub, left, right);

    public static Arithmetic Mul(Expr left, Expr right) => new(ArithmeticOperator.Mul, left, right);

    public static Arithmetic Div(Expr left, Expr right) => new(ArithmeticOperator.Div, left, right);

    public static Arithmetic Mod(Expr left, Expr right) => new(ArithmeticOperator.Mod, left, right);

    public static Negate Neg(Expr operand) => new(operand);
}

/// <summary>A column of the dataset, by its public name.</summary>
public sealed record FieldRef(string Name) : Expr;

/// <summary>
/// A typed literal. The value is null, string, long, decimal, double, bool, DateOnly, TimeOnly or
/// DateTimeOffset (normalized to UTC); other CLR integer and date types are converted by <see cref="From"/>.
/// A literal is coerced to the type of what it is compared with when the query is compiled
/// ("2024-01-01" against a date column becomes a DateOnly parameter).
/// </summary>
public sealed record Constant : Expr
{
    public static readonly Constant Null = new((object?)null);

    private Constant(object? value) => Value = value;

    public object? Value { get; }

    public static Constant From(object? value) => value switch
    {
        null or DBNull => Null,
        Constant c => c,
        string or long or decimal or double or bool or DateOnly or TimeOnly => new Constant(value),
        int i => new Constant((long)i),
        short s => new Constant((long)s),
        byte b => new Constant((long)b),
        float f => new Constant((double)f),
        DateTimeOffset d => new Constant(d.ToUniversalTime()),
        DateTime d when d.Kind == DateTimeKind.Utc => new Constant(new DateTimeOffset(d)),
        DateTime => throw new ArgumentException("A DateTime literal must have Kind Utc; use DateTimeOffset or DateOnly.", nameof(value)),
        _ => throw new ArgumentException($"{value.GetType().Name} is not a supported literal type.", nameof(value)),
    };
}

public sealed record Comparison(ComparisonOperator Operator, Expr Left, Expr Right) : Expr;

public sealed record AndExpr(IReadOnlyList<Expr> Operands) : Expr;

public sealed record OrExpr(IReadOnlyList<Expr> Operands) : Expr;

public sealed record NotExpr(Expr Operand) : Expr;

/// <summary><c>operand IN (values)</c>; a null among the values also matches null operands.</summary>
public sealed record InExpr(Expr Operand, IReadOnlyList<Constant> Values) : Expr;

public sealed record IsNullExpr(Expr Operand, bool Negated = false) : Expr;

public sealed record FunctionCall(string Function, IReadOnlyList<Expr> Arguments) : Expr;

public sealed record Arithmetic(ArithmeticOperator Operator, Expr Left, Expr Right) : Expr;

public sealed record Negate(Expr Operand) : Expr;
