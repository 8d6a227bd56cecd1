using DataOpen.Core.Catalog;

namespace DataOpen.Core.Query;

/// <summary>
/// One row by its key, compiled once and bound per request. Every door looks rows up by the same few key fields
/// with the same columns, so the SQL, its columns and its shape are those <see cref="QueryCompiler.Compile"/> writes
/// for <c>key1 = v1 AND … LIMIT n</c>; only the values change. <see cref="Bind"/> converts each value to its key
/// field's type exactly as a field condition does (the same errors for a value the type cannot take) and skips the
/// rest of the compilation.
/// </summary>
public sealed class KeyLookup
{
    private readonly TableShape shape;
    private readonly IReadOnlyList<string> names;
    private readonly IReadOnlySet<string>? allowed;
    private readonly QueryCompiler compiler;
    private readonly RowQuery query;
    private readonly CompiledQuery template;

    /// <summary>Each key condition's SQL in the template (<c>"field" = $i</c>); a bound value that compiles otherwise is compiled in full.</summary>
    private readonly string[] conditions;

    private KeyLookup(QueryCompiler compiler, RowQuery query, IReadOnlyList<string> names, CompiledQuery template, string[] conditions)
    {
        this.compiler = compiler;
        this.query = query;
        shape = query.Shape;
        this.names = names;
        allowed = query.AllowedFields;
        this.template = template;
        this.conditions = conditions;
    }

    /// <summary>The key fields in key order.</summary>
    public IReadOnlyList<string> Names => names;

    /// <summary>The result columns of every lookup (visible and hidden).</summary>
    public IReadOnlyList<ResultColumn> Columns => template.Columns;

    /// <summary>
    /// Compiles the lookup of <paramref name="names"/> on <paramref name="shape"/> returning <paramref name="select"/>
    /// (null: every readable field), at most <paramref name="limit"/> rows. Names, grants and the selection are
    /// checked here, as by <see cref="QueryCompiler.Compile"/>.
    /// </summary>
    public static KeyLookup Compile(QueryCompiler compiler, TableShape shape, IReadOnlyList<string> names, IReadOnlyList<string>? select, IReadOnlySet<string>? allowed, int limit)
    {
        if (names.Count == 0)
        {
            throw new ArgumentException("A key has at least one field.", nameof(names));
        }

        var placeholders = names.Select(n => shape.TryGetField(n, out var f) ? Placeholder(f.Type) : "").ToArray();
        var query = new RowQuery(shape) { Filter = Match(names, placeholders), Select = select, AllowedFields = allowed, Limit = limit };
        var template = compiler.Compile(query);
        // The filter's values come first ($1..$n, one per key field, in key order), then LIMIT: Bind relies on it.
        if (template.Parameters.Count != names.Count + 1)
        {
            throw new InvalidOperationException($"A key lookup compiled to {template.Parameters.Count} parameters for {names.Count} key fields.");
        }

        var conditions = Conditions(shape, allowed, names, placeholders, new ParameterList());
        return new KeyLookup(compiler, query, names, template, conditions);
    }

    /// <summary>
    /// The lookup of the row whose key fields equal <paramref name="values"/> (one per key field, in order). Text is
    /// converted to each field's type; a value the type cannot take throws <see cref="QueryException"/>
    /// (<see cref="QueryErrorCodes.BadValue"/> or <see cref="QueryErrorCodes.TypeMismatch"/>).
    /// </summary>
    public CompiledQuery Bind(IReadOnlyList<object?> values)
    {
        if (values.Count != names.Count)
        {
            throw new ArgumentException($"One value per key field ({names.Count}) is needed.", nameof(values));
        }

        var ps = new ParameterList();
        if (!Conditions(shape, allowed, names, values, ps).AsSpan().SequenceEqual(conditions))
        {
            // A value of another kind (a date for a timestamp key, null) compiles to other SQL: compile it in full.
            return compiler.Compile(query with { Filter = Match(names, values) });
        }

        ps.Add(template.Parameters[^1]);
        return template.WithParameters(ps.Values);
    }

    private static string[] Conditions(TableShape shape, IReadOnlySet<string>? allowed, IReadOnlyList<string> names, IReadOnlyList<object?> values, ParameterList ps)
    {
        var compiler = new ExprCompiler(shape, ps, "filter", allowed);
        var sql = new string[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            sql[i] = compiler.CompileCondition(Expr.Eq(Expr.Field(names[i]), Expr.Const(values[i]))).Sql;
        }

        return sql;
    }

    /// <summary>The condition <c>names[i] = values[i]</c> for every key field (the filter a lookup compiles).</summary>
    public static Expr Match(IReadOnlyList<string> names, IReadOnlyList<object?> values)
    {
        if (names.Count != values.Count || names.Count == 0)
        {
            throw new ArgumentException("One value per key field is needed.", nameof(values));
        }

        return Expr.And([.. names.Select((n, i) => (Expr)Expr.Eq(Expr.Field(n), Expr.Const(values[i])))]);
    }

    /// <summary>A text value every field type takes (the template's values are replaced on every bind).</summary>
    private static string Placeholder(FieldType type) => type switch
    {
        FieldType.Boolean => "true",
        FieldType.Date => "2000-01-01",
        FieldType.Timestamp => "2000-01-01T00:00:00+00:00",
        FieldType.Text => "",
        _ => "0",
    };
}
