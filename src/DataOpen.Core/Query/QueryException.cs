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
}

/// <summary>
/// A query the caller got wrong. Always a client error (HTTP 400): <see cref="Code"/> says what kind,
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

    /// <summary>The same error attributed to a request parameter, unless it already names one.</summary>
    public QueryException WithTarget(string target) =>
        Target is null ? new QueryException(Code, Message, target, Position, Suggestions) : this;
}
