using System.Globalization;
using System.Text;
using DataOpen.Core.Catalog;

namespace DataOpen.Core.Query;

/// <summary>Positional parameters in order of appearance; values only, never inlined into SQL.</summary>
internal sealed class ParameterList
{
    private readonly List<object> values = [];

    public IReadOnlyList<object> Values => values;

    public string Add(object value)
    {
        // Npgsql writes timestamptz only from UTC values.
        values.Add(value is DateTimeOffset d ? d.ToUniversalTime() : value);
        return "$" + values.Count.ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>A compiled SQL fragment, its type, and whether it can be used as an operand without parentheses.</summary>
internal readonly record struct Typed(string Sql, ValueKind Kind, bool Atomic = true)
{
    public string Operand => Atomic ? Sql : "(" + Sql + ")";
}

/// <summary>
/// Binds an <see cref="Expr"/> against a table shape and emits PostgreSQL in one pass: resolves names,
/// checks operand types, coerces literals to the type they meet, and adds them as parameters.
/// </summary>
internal sealed class ExprCompiler(TableShape shape, ParameterList parameters, string part, IReadOnlySet<string>? allowed = null)
{
    public Typed CompileCondition(Expr expr)
    {
        var t = Compile(expr);
        if (t.Kind != ValueKind.Boolean)
        {
            throw Mismatch($"A {part} must be a condition (true or false), but {Describe(expr)} is {t.Kind.Describe()}.");
        }

        return t;
    }

    public Typed Compile(Expr expr) => expr switch
    {
        FieldRef f => new(Sql.QuoteIdentifier(ResolveField(f.Name, part).Name), ResolveField(f.Name, part).Type.ToKind()),
        Constant c when c.Value is null => throw new QueryException(QueryErrorCodes.TypeMismatch, "null can only be compared with eq or ne (IS NULL / IS NOT NULL).", part),
        Constant c => new(parameters.Add(c.Value!), KindOf(c)),
        Comparison c => CompileComparison(c),
        AndExpr a => Logical(a.Operands, " AND "),
        OrExpr o => Logical(o.Operands, " OR "),
        NotExpr n => new("NOT " + CompileCondition(n.Operand).Operand, ValueKind.Boolean, Atomic: false),
        InExpr i => CompileIn(i),
        IsNullExpr n => new(CompileNullable(n.Operand).Operand + (n.Negated ? " IS NOT NULL" : " IS NULL"), ValueKind.Boolean, Atomic: false),
        FunctionCall f => CompileCall(f),
        Arithmetic a => CompileArithmetic(a),
        Negate n => CompileNegate(n),
        _ => throw new QueryException(QueryErrorCodes.UnknownOperator, $"Unsupported expression {expr.GetType().Name}.", part),
    };

    public FieldInfo ResolveField(string name, string target)
    {
        if (shape.TryGetField(name, out var field))
        {
            return allowed is null || name == TableShape.RowIdColumn || allowed.Contains(name) ? field : throw QueryException.NotGranted(name, target, allowed);
        }

        var matches = Names.CloseMatches(name, shape.Fields.Select(f => f.Name));
        throw new QueryException(
            QueryErrorCodes.UnknownField,
            $"Unknown field '{Shorten(name)}'.{Names.DidYouMean(matches)} Fields: {string.Join(", ", shape.Fields.Select(f => f.Name))}.",
            target,
            suggestions: matches);
    }

    private Typed Logical(IReadOnlyList<Expr> operands, string separator)
    {
        if (operands.Count == 0)
        {
            throw new QueryException(QueryErrorCodes.BadValue, $"An{separator.ToLowerInvariant().TrimEnd()} needs at least one operand.", part);
        }

        // Comparisons bind tighter than AND/OR in PostgreSQL, so operands need no parentheses of their own.
        var parts = operands.Select(o => CompileCondition(o).Sql);
        return new("(" + string.Join(separator, parts) + ")", ValueKind.Boolean);
    }

    private Typed CompileNullable(Expr operand) => operand is Constant { Value: null }
        ? throw new QueryException(QueryErrorCodes.BadValue, "null IS NULL is always true; test a field or an expression.", part)
        : Compile(operand);

    private Typed CompileComparison(Comparison c)
    {
        var info = Operators.Comparisons[c.Operator];
        if (c.Left is Constant { Value: null } || c.Right is Constant { Value: null })
        {
            var other = c.Left is Constant { Value: null } ? c.Right : c.Left;
            if (c.Operator is not (ComparisonOperator.Eq or ComparisonOperator.Ne))
            {
                throw Mismatch($"Only eq and ne can compare with null; '{info.Key} null' has no meaning.");
            }

            var operand = CompileNullable(other);
            return new(operand.Operand + (c.Operator == ComparisonOperator.Eq ? " IS NULL" : " IS NOT NULL"), ValueKind.Boolean, Atomic: false);
        }

        var (left, right) = CompilePair(c.Left, c.Right, $"'{info.Key}'");
        if (!Comparable(left.Kind, right.Kind))
        {
            throw Mismatch($"Cannot compare {Describe(c.Left)} ({left.Kind.Describe()}) with {Describe(c.Right)} ({right.Kind.Describe()}).");
        }

        return new($"{left.Operand} {info.Sql} {right.Operand}", ValueKind.Boolean, Atomic: false);
    }

    /// <summary>Compiles two operands; a literal on one side takes the type of the other side.</summary>
    private (Typed Left, Typed Right) CompilePair(Expr a, Expr b, string context)
    {
        if (a is Constant ca && b is not Constant)
        {
            var tb = Compile(b);
            return (Bind(ca, tb.Kind, b, context), tb);
        }

        var ta = Compile(a);
        return b is Constant cb && a is not Constant ? (ta, Bind(cb, ta.Kind, a, context)) : (ta, Compile(b));
    }

    private static bool Comparable(ValueKind a, ValueKind b) =>
        a == b
        || (ValueKind.Numeric.HasFlag(a) && ValueKind.Numeric.HasFlag(b))
        || (a is ValueKind.Date or ValueKind.Timestamp && b is ValueKind.Date or ValueKind.Timestamp);

    private Typed CompileIn(InExpr i)
    {
        if (i.Values.Count == 0)
        {
            throw new QueryException(QueryErrorCodes.BadValue, $"'in' on {Describe(i.Operand)} needs at least one value.", part);
        }

        var operand = Compile(i.Operand);
        var values = i.Values.Where(v => v.Value is not null).Select(v => Bind(v, operand.Kind, i.Operand, "'in'").Sql).ToArray();
        var hasNull = values.Length < i.Values.Count;
        if (values.Length == 0)
        {
            return new(operand.Operand + " IS NULL", ValueKind.Boolean, Atomic: false);
        }

        var list = $"{operand.Operand} IN ({string.Join(", ", values)})";
        return hasNull ? new($"({list} OR {operand.Operand} IS NULL)", ValueKind.Boolean) : new(list, ValueKind.Boolean, Atomic: false);
    }

    private Typed CompileCall(FunctionCall call)
    {
        if (!Operators.Functions.TryGetValue(call.Function, out var fn))
        {
            var matches = Names.CloseMatches(call.Function, Operators.Functions.Keys);
            throw new QueryException(QueryErrorCodes.UnknownFunction, $"Unknown function '{Shorten(call.Function)}'.{Names.DidYouMean(matches)}", part, suggestions: matches);
        }

        var n = call.Arguments.Count;
        if (n < fn.MinArguments || (!fn.Variadic && n > fn.Parameters.Count))
        {
            var expected = fn.Variadic ? $"at least {fn.MinArguments}" : fn.OptionalParameters > 0 ? $"{fn.MinArguments} or {fn.Parameters.Count}" : fn.Parameters.Count.ToString(CultureInfo.InvariantCulture);
            throw Mismatch($"{fn.Name}() takes {expected} argument(s), not {n}.");
        }

        var args = new string[n];
        for (var k = 0; k < n; k++)
        {
            var accepted = fn.Parameters[Math.Min(k, fn.Parameters.Count - 1)];
            var arg = call.Arguments[k];
            if (k == 1 && fn.LikePattern is not null && arg is Constant { Value: string literal })
            {
                var target = Compile(call.Arguments[0]);
                RequireKind(target, accepted, call.Arguments[0], fn.Name);
                var pattern = string.Format(CultureInfo.InvariantCulture, fn.LikePattern, EscapeLike(literal));
                return new($"{target.Operand} {(fn.CaseInsensitive ? "ILIKE" : "LIKE")} {parameters.Add(pattern)} ESCAPE '\\'", ValueKind.Boolean, Atomic: false);
            }

            var typed = arg is Constant c ? Bind(c, accepted, null, fn.Name + "()") : Compile(arg);
            RequireKind(typed, accepted, arg, fn.Name);
            args[k] = typed.Operand;
        }

        if (fn.Variadic)
        {
            return new("(" + string.Join(" || ", args) + ")", fn.Result);
        }

        var template = fn.Name == "substring" && n == 3 ? Operators.SubstringWithLength : fn.Template;
        var sql = string.Format(CultureInfo.InvariantCulture, template, args);
        return new(sql, fn.Result, Atomic: fn.Result != ValueKind.Boolean);
    }

    private void RequireKind(Typed typed, ValueKind accepted, Expr arg, string function)
    {
        if ((typed.Kind & accepted) == 0)
        {
            throw Mismatch($"{function}() needs {accepted.Describe()}, but {Describe(arg)} is {typed.Kind.Describe()}.");
        }
    }

    private Typed CompileArithmetic(Arithmetic a)
    {
        var info = Operators.ArithmeticOperators[a.Operator];
        var (left, right) = CompilePair(a.Left, a.Right, $"'{info.Key}'");
        foreach (var (side, expr) in new[] { (left, a.Left), (right, a.Right) })
        {
            if (!ValueKind.Numeric.HasFlag(side.Kind) || side.Kind == ValueKind.None)
            {
                throw Mismatch($"'{info.Key}' needs numbers, but {Describe(expr)} is {side.Kind.Describe()}.");
            }
        }

        var kind = (ValueKind)Math.Max((int)left.Kind, (int)right.Kind);
        if (a.Operator == ArithmeticOperator.Mod && kind == ValueKind.Double)
        {
            throw Mismatch("'mod' works on integers and decimals, not on double precision numbers.");
        }

        return new($"({left.Operand} {info.Sql} {right.Operand})", kind);
    }

    private Typed CompileNegate(Negate n)
    {
        var operand = Compile(n.Operand);
        if (!ValueKind.Numeric.HasFlag(operand.Kind) || operand.Kind == ValueKind.None)
        {
            throw Mismatch($"Unary minus needs a number, but {Describe(n.Operand)} is {operand.Kind.Describe()}.");
        }

        return new("(-" + operand.Operand + ")", operand.Kind);
    }

    /// <summary>Turns a literal into a parameter of the type it is used as, or explains why it cannot be.</summary>
    private Typed Bind(Constant c, ValueKind target, Expr? against, string context)
    {
        var value = c.Value ?? throw Mismatch($"null cannot be used in {context}.");
        var natural = KindOf(c);
        var against_ = against is null ? context : Describe(against);
        object? bound = (natural, target) switch
        {
            _ when (natural & target) != 0 => value,
            (ValueKind.Integer, ValueKind.Decimal) => (decimal)(long)value,
            (ValueKind.Integer, ValueKind.Double) => (double)(long)value,
            (ValueKind.Decimal, ValueKind.Double) => (double)(decimal)value,
            (ValueKind.Decimal or ValueKind.Double, ValueKind.Integer) => value,
            (ValueKind.Double, ValueKind.Decimal) => ToDecimal((double)value),
            (ValueKind.Date, ValueKind.Timestamp) or (ValueKind.Timestamp, ValueKind.Date) => value,
            (ValueKind.Text, _) => Parse((string)value, target, against_),
            _ => null,
        };

        if (bound is null)
        {
            var hint = target == ValueKind.Text ? " Quote it as text: '…'." : "";
            throw Mismatch($"Cannot use {natural.Describe()} ({Shorten(Format(value))}) with {against_}, which is {target.Describe()}.{hint}");
        }

        return new(parameters.Add(bound), KindOf(Constant.From(bound)));
    }

    private object Parse(string text, ValueKind target, string against)
    {
        object? parsed = target switch
        {
            ValueKind.Integer when Literals.TryParseInteger(text, out var l) => l,
            ValueKind.Integer or ValueKind.Decimal when Literals.TryParseDecimal(text, out var d) => d,
            ValueKind.Double when Literals.TryParseDouble(text, out var d) => d,
            ValueKind.Boolean when Literals.TryParseBoolean(text, out var b) => b,
            ValueKind.Date when Literals.TryParseDate(text, out var d) => d,
            ValueKind.Date or ValueKind.Timestamp when Literals.TryParseTimestamp(text, out var t) => t,
            ValueKind.Timestamp when Literals.TryParseDate(text, out var d) => d,
            ValueKind.Time when Literals.TryParseTime(text, out var t) => t,
            _ => null,
        };

        return parsed ?? throw new QueryException(
            QueryErrorCodes.BadValue,
            $"'{Shorten(text)}' is not {target.Describe()} (expected {Expected(target)}) for {against}.",
            part);
    }

    private decimal ToDecimal(double d) => double.IsFinite(d) && Math.Abs(d) < 7.9e28
        ? (decimal)d
        : throw new QueryException(QueryErrorCodes.BadValue, $"{d.ToString(CultureInfo.InvariantCulture)} is out of the range of a decimal.", part);

    private static string Expected(ValueKind kind) => kind switch
    {
        ValueKind.Integer => "digits like 42",
        ValueKind.Decimal or ValueKind.Double => "a number like 12.5",
        ValueKind.Boolean => "true or false",
        ValueKind.Date => "YYYY-MM-DD",
        ValueKind.Timestamp => "YYYY-MM-DDThh:mm:ss+08:00 or YYYY-MM-DD",
        ValueKind.Time => "hh:mm or hh:mm:ss",
        _ => kind.Describe(),
    };

    internal static ValueKind KindOf(Constant c) => c.Value switch
    {
        null => ValueKind.Null,
        string => ValueKind.Text,
        long => ValueKind.Integer,
        decimal => ValueKind.Decimal,
        double => ValueKind.Double,
        bool => ValueKind.Boolean,
        DateOnly => ValueKind.Date,
        DateTimeOffset => ValueKind.Timestamp,
        TimeOnly => ValueKind.Time,
        _ => ValueKind.None,
    };

    internal static string EscapeLike(string value)
    {
        var sb = new StringBuilder(value.Length + 8);
        foreach (var ch in value)
        {
            if (ch is '\\' or '%' or '_')
            {
                sb.Append('\\');
            }

            sb.Append(ch);
        }

        return sb.ToString();
    }

    private QueryException Mismatch(string message) => new(QueryErrorCodes.TypeMismatch, message, part);

    private static string Describe(Expr e) => e switch
    {
        FieldRef f => $"field '{Shorten(f.Name)}'",
        Constant c => $"the value {Shorten(Format(c.Value))}",
        FunctionCall f => $"{Shorten(f.Function)}(…)",
        Arithmetic a => $"the '{Operators.ArithmeticOperators[a.Operator].Key}' expression",
        _ => "the expression",
    };

    private static string Format(object? value) => value switch
    {
        null => "null",
        string s => "'" + s + "'",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Error messages echo user input; keep them short so a 100 KB value does not come back whole.</summary>
    internal static string Shorten(string s) => s.Length <= 60 ? s : string.Concat(s.AsSpan(0, 57), "…");
}
