using Microsoft.AspNetCore.Http.HttpResults;

namespace DataOpen.Api.Infrastructure;

/// <summary>RFC 9457 problem+json responses: a stable type URI per problem kind, a title, a detail saying what was wrong and where.</summary>
public static class Problems
{
    public const string TypeBase = "https://data.ccxq.gov.cn/problems/";

    public static ProblemHttpResult Create(int status, string type, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: TypeBase + type, extensions: extensions);

    public static ProblemHttpResult BadRequest(string type, string detail, string? parameter = null, IDictionary<string, object?>? extensions = null)
    {
        var ext = extensions ?? new Dictionary<string, object?>();
        if (parameter is not null)
        {
            ext["parameter"] = parameter;
        }

        return Create(StatusCodes.Status400BadRequest, type, "Bad request", detail, ext);
    }

    public static ProblemHttpResult NotFound(string detail) => Create(StatusCodes.Status404NotFound, "not-found", "Not found", detail);

    public static ProblemHttpResult Conflict(string detail) => Create(StatusCodes.Status409Conflict, "conflict", "Conflict", detail);

    public static ProblemHttpResult Unauthorized(string detail) => Create(StatusCodes.Status401Unauthorized, "unauthorized", "Unauthorized", detail);

    public static ProblemHttpResult Forbidden(string type, string detail, IDictionary<string, object?>? extensions = null) =>
        Create(StatusCodes.Status403Forbidden, type, "Forbidden", detail, extensions);

    public static ProblemHttpResult Unprocessable(string type, string detail, IDictionary<string, object?>? extensions = null) =>
        Create(StatusCodes.Status422UnprocessableEntity, type, "Unprocessable content", detail, extensions);
}
