using System.Net.Sockets;
using Npgsql;

namespace DataOpen.Api.Infrastructure;

/// <summary>
/// The one place that decides whether an exception means "PostgreSQL cannot be reached right now" (stopped,
/// restarting, refusing connections, out of connection slots) rather than a fault of the request or of the
/// code. Doors answer such failures with 503 and <c>Retry-After</c> in their own format; every other
/// exception keeps its meaning (a 500 is a bug).
/// </summary>
public static class DatabaseFaults
{
    /// <summary>Seconds a client is told to wait (<c>Retry-After</c>) while the database is unreachable.</summary>
    public const int RetryAfterSeconds = 2;

    /// <summary>What the doors say while the database is unreachable.</summary>
    public const string Message = "The database is unreachable for a moment; the catalog and search still answer. Retry after the time in Retry-After.";

    /// <summary>True when <paramref name="ex"/> (or an exception it wraps) says the database is unreachable.</summary>
    public static bool IsUnavailable(Exception? ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg:
                    return IsUnavailableState(pg.SqlState);
                case NpgsqlException { IsTransient: true }:
                    return true;
                case NpgsqlException npgsql when npgsql.InnerException is SocketException or IOException or TimeoutException:
                    return true;
                case SocketException:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsUnavailable):
                    return true;
            }

            if (e is InvalidOperationException && e.Message.Contains("The database is not open yet", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// SQLSTATEs that mean the server cannot take the work now: class 08 (connection exceptions), 57P01–57P05
    /// (admin or crash shutdown, cannot connect now, idle session timeout, database dropped), 53300
    /// (too many connections) and 53000-class resource shortages that clear up by themselves.
    /// 57014 (statement timeout) is not one: it is the request's own query taking too long.
    /// </summary>
    public static bool IsUnavailableState(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState.StartsWith("57P0", StringComparison.Ordinal)
        || sqlState is PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.InsufficientResources or PostgresErrorCodes.OutOfMemory
        || sqlState is PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown;

    /// <summary>Sets 503, <c>Retry-After</c> and <c>no-store</c> (an outage must never be cached under the data's ETag).</summary>
    public static void PrepareResponse(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers.CacheControl = "no-store";
        response.Headers.Remove("ETag");
    }
}
