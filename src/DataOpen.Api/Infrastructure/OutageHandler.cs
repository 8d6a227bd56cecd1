using Microsoft.AspNetCore.Diagnostics;

namespace DataOpen.Api.Infrastructure;

/// <summary>
/// Writes the 503 of one door in its own format (OData JSON error, GraphQL error, HTML page). A door registers
/// one from its own <c>*Setup.cs</c>; requests no writer claims get RFC 9457 problem+json.
/// </summary>
public interface IOutageWriter
{
    bool Handles(HttpContext http);

    /// <summary>Writes the body; status 503, <c>Retry-After</c> and <c>no-store</c> are already set.</summary>
    Task WriteAsync(HttpContext http, string message);
}

/// <summary>
/// Turns "the database is unreachable" (<see cref="DatabaseFaults.IsUnavailable"/>) into 503 with
/// <c>Retry-After</c> for every door, wherever in the pipeline it was thrown (access checks, a door, a page),
/// and starts the pools' recovery watch. A response already under way is left to the server, which cuts the
/// connection: a client never takes half a body for a whole one.
/// </summary>
public sealed class OutageHandler(Database database, IEnumerable<IOutageWriter> writers, IProblemDetailsService problems, ILogger<OutageHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var http = httpContext;
        if (!database.ReportFault(exception))
        {
            return false;
        }

        logger.LogWarning("{Method} {Path}: database unreachable ({Message}); answered 503", http.Request.Method, http.Request.Path, exception.GetBaseException().Message);
        await WriteAsync(http, writers, problems);
        return true;
    }

    /// <summary>Writes the outage answer of the door that serves <paramref name="http"/>; shared with doors that catch the fault themselves.</summary>
    public static async Task WriteAsync(HttpContext http, IEnumerable<IOutageWriter> writers, IProblemDetailsService problems)
    {
        DatabaseFaults.PrepareResponse(http.Response);
        if (writers.FirstOrDefault(w => w.Handles(http)) is { } writer)
        {
            await writer.WriteAsync(http, DatabaseFaults.Message);
            return;
        }

        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = Problems.TypeBase + "database-unavailable",
                Title = "Service unavailable",
                Detail = DatabaseFaults.Message,
                Extensions = { ["retryAfter"] = DatabaseFaults.RetryAfterSeconds },
            },
        });
    }
}
