namespace DataOpen.Api.OData;

/// <summary>Error codes of the feed's OData JSON errors (<c>error.code</c>).</summary>
public static class ODataErrorCodes
{
    public const string BadSyntax = "bad_syntax";
    public const string UnknownProperty = "unknown_property";
    public const string TypeMismatch = "type_mismatch";
    public const string Unsupported = "unsupported";
    public const string LimitExceeded = "limit_exceeded";
    public const string BadSkipToken = "bad_skiptoken";
    public const string NotFound = "not_found";
    public const string Forbidden = "forbidden";
    public const string FieldNotGranted = "field_not_granted";
    public const string Timeout = "timeout";
    public const string BadValue = "bad_value";
    public const string ServiceUnavailable = "service_unavailable";
}

/// <summary>A request the feed refuses; written as <c>{"error":{"code","message","target","details"}}</c> with <see cref="Status"/>.</summary>
public sealed class ODataRequestException(int status, string code, string message, string? target = null, IReadOnlyList<string>? details = null) : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string? Target { get; } = target;

    /// <summary>Extra messages (close matches, allowed names); written as <c>details[].message</c>.</summary>
    public IReadOnlyList<string> Details { get; } = details ?? [];

    public static ODataRequestException BadRequest(string code, string message, string? target = null, IReadOnlyList<string>? details = null) =>
        new(StatusCodes.Status400BadRequest, code, message, target, details);

    public static ODataRequestException Unsupported(string message, string? target = null) =>
        new(StatusCodes.Status400BadRequest, ODataErrorCodes.Unsupported, message, target);
}

/// <summary>The feed's 503 while the database is unreachable: an OData JSON error with code <c>service_unavailable</c>.</summary>
internal sealed class ODataOutageWriter : Infrastructure.IOutageWriter
{
    public bool Handles(HttpContext http) => http.Request.Path.StartsWithSegments("/odata", StringComparison.OrdinalIgnoreCase);

    public Task WriteAsync(HttpContext http, string message) =>
        ODataJson.WriteErrorAsync(http, new ODataRequestException(StatusCodes.Status503ServiceUnavailable, ODataErrorCodes.ServiceUnavailable, message));
}
