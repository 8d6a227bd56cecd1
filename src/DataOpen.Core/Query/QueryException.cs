namespace DataOpen.Core.Query;

/// <summary>Machine-readable error codes of <see cref="QueryException"/>; doors map them to problem+json types.</summary>
public static class QueryErrorCodes
{
    public const string BadSyntax = "bad_syntax";
    public const string UnknownField = "unknown_field";
    public const string UnknownOperator = "unknown_operator";
    public const string UnknownFunction = "unknown_function";
    public const string TypeMismatch = "type_mismatch";
    public const string BadValue = "bad_value";
    public const string LimitExceeded = "limit_exceeded";
    public const string BadCursor = "bad_cursor";
    public const string TooComplex = "too_complex";

    /// <summary>
    /// The field exists but the caller may not read it (a grant limited to the fields its application named).
    /// Unlike every other code this is not a mistake in the query: doors answer 403, not 400.
    /// </summary>
    public const string FieldNotGranted = "field_not_granted";
}

/// <summary>
/// A query the caller got wrong. A client error (HTTP 400, or 403 for <see cref="QueryErrorCodes.FieldNotGranted"/>): <see cref="Code"/> says what kind,
/// <see cref="Target"/> which request parameter or query part (filter, select, order, pm25[gt], …),
/// <see cref="Position"/> the character offset inside a filter expression when known.
/// </summary>
public sealed class QueryException : Exception
{
    public QueryException(string code, string message, string? target = null, int? position = null, IReadOnlyList<string>? suggestions = null)
        : base(message)
    {
        Code = code;
        Target = target;
        Position = position;
        Suggestions = suggestions ?? [];
    }

    public string Code { get; }

    public string? Target { get; }

    public int? Position { get; }

    /// <summary>Close matches for an unknown name (field, function, operator).</summary>
    public IReadOnlyList<string> Suggestions { get; }

    /// <summary>The field refused by <see cref="QueryErrorCodes.FieldNotGranted"/>.</summary>
    public string? Field { get; init; }

    /// <summary>A <see cref="QueryErrorCodes.FieldNotGranted"/> error naming the refused field and those the grant covers (field names are public metadata; their values are not).</summary>
    public static QueryException NotGranted(string field, string target, IReadOnlySet<string> allowed) =>
        new(QueryErrorCodes.FieldNotGranted,
            $"Field '{ExprCompiler.Shorten(field)}' is not covered by this key's grant, which covers only the fields its application named: {string.Join(", ", allowed.Order(StringComparer.Ordinal))}. " +
            "Apply again naming the other fields you need.",
            target)
        { Field = field };

    /// <summary>A <see cref="QueryErrorCodes.FieldNotGranted"/> error for a limited grant none of whose fields is in the table (a later version dropped or renamed them).</summary>
    public static QueryException NoneGranted(IReadOnlySet<string> allowed, IEnumerable<string> fieldsHere) =>
        new(QueryErrorCodes.FieldNotGranted,
            $"None of the fields this key's grant covers ({string.Join(", ", allowed.Order(StringComparer.Ordinal))}) is in this version; its fields are {string.Join(", ", fieldsHere)}.",
            "select");

    /// <summary>The same error attributed to a request parameter, unless it already names one.</summary>
    public QueryException WithTarget(string target) =>
        Target is null ? new QueryException(Code, Message, target, Position, Suggestions) { Field = Field } : this;
}
