using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace DataOpen.Api.Rows;

/// <summary>
/// Attributes of a request's trace span (the ASP.NET Core server span) that every door gets from the engine: the door,
/// set when the request starts, and the dataset and version of the rows it read, set as the engine runs a query
/// (a request that reads several datasets, such as a GraphQL query with two root fields, carries the last one).
/// Without a trace listener (telemetry off) the request has no recorded span and nothing is set.
/// </summary>
public static class RequestTags
{
    public const string Door = "dataopen.door";
    public const string Dataset = "dataopen.dataset";
    public const string Version = "dataopen.version";

    private static readonly AsyncLocal<Activity?> Request = new();

    /// <summary>True when the current request's span is being recorded.</summary>
    public static bool Traced => Request.Value is { IsAllDataRequested: true };

    internal static void Start(HttpContext http, string door)
    {
        var activity = http.Features.Get<IHttpActivityFeature>()?.Activity;
        Request.Value = activity is { IsAllDataRequested: true } ? activity : null;
        Request.Value?.SetTag(Door, door);
    }

    internal static void Read(string dataset, int version)
    {
        if (Request.Value is { } activity)
        {
            activity.SetTag(Dataset, dataset);
            activity.SetTag(Version, version);
        }
    }
}
