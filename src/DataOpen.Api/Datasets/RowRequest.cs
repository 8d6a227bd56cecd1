using System.Globalization;
using DataOpen.Api.Access;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using DataOpen.Core.Query.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace DataOpen.Api.Datasets;

/// <summary>What a rows or download request asks, after the dataset, access, version and query were checked.</summary>
public sealed record RowRequest(DatasetEntry Dataset, VersionInfo Version, bool Pinned, RowQuery Query, bool Count, bool ExplicitLimit, bool Private)
{
    /// <summary>Door parameters: not conditions on fields.</summary>
    public static readonly IReadOnlySet<string> DoorParameters = new HashSet<string>(StringComparer.Ordinal) { "version", "count", "format", "cursor", "api_key", "lang" };

    /// <summary>What the parser skips: the door parameters but cursor, which it reads as after.</summary>
    private static readonly IReadOnlySet<string> ParserIgnored = DoorParameters.Where(p => p != "cursor").ToHashSet(StringComparer.Ordinal);

    /// <summary>Longest value of a field condition other than an [in] list (those, filter, select, order and the rest may be as long as a filter).</summary>
    public const int MaxValueLength = 1000;

    /// <summary>
    /// Strong ETag of the data this request returns: the version's sha256 plus the normalized query, and the
    /// fields a limited grant covers (the same URL returns other columns to a key granted other fields).
    /// A door <c>row:{key}</c> (one row by key) adds the key to the ETag of the query kept for the URL's query string.
    /// </summary>
    public string Etag(HttpRequest request, string door) =>
        Parsed is not { } parsed ? ComputeEtag(request, door)
        : door.StartsWith("row:", StringComparison.Ordinal) ? HttpCaching.Etag(parsed.Etags.GetOrAdd("row", d => ComputeEtag(request, d)), door)
        : parsed.Etags.GetOrAdd(door, d => ComputeEtag(request, d));

    /// <summary>The parse of this query kept for the next request with the same URL (null for cursor pages); see <see cref="ParsedQueries"/>.</summary>
    public ParsedQueries.Entry? Parsed { get; init; }

    private string ComputeEtag(HttpRequest request, string door) => HttpCaching.Etag(
        door, Dataset.Identifier, Version.Version.ToString(CultureInfo.InvariantCulture), Version.Sha256,
        string.Join('\u001e', QueryPairs(request).Where(p => p.Key is not ("version" or "api_key" or "lang"))
            .Order(Comparer<KeyValuePair<string, string?>>.Create((a, b) => string.CompareOrdinal(a.Key + "\u001f" + a.Value, b.Key + "\u001f" + b.Value)))
            .Select(p => p.Key + "\u001f" + p.Value)
            .Append(Query.AllowedFields is { } fields ? "fields\u001f" + string.Join(',', fields.Order(StringComparer.Ordinal)) : "")));

    /// <summary>Long and immutable for a pinned version; a minute for "current", which moves on publish; private when rows need a grant.</summary>
    public string CacheControl => (Private ? "private" : "public") + (Pinned ? ", max-age=31536000, immutable" : ", max-age=60");

    public static IEnumerable<KeyValuePair<string, string?>> QueryPairs(HttpRequest request) =>
        request.Query.SelectMany(kv => kv.Value.Select(v => new KeyValuePair<string, string?>(kv.Key, v)));

    /// <summary>Finds the dataset and version, asks <see cref="IDatasetAccess"/> and parses the query; a problem result on any failure.</summary>
    public static async Task<(RowRequest? Request, IResult? Problem)> ResolveAsync(
        HttpContext http, string id, CatalogStore catalog, IDatasetAccess access, string door, QueryLimits limits, CancellationToken ct)
    {
        var dataset = catalog.Current.FindServed(id);
        if (dataset is null || dataset.Current is null || http.Request.Query.TryGetValue("version", out var asked)
            && int.TryParse(asked, NumberStyles.None, CultureInfo.InvariantCulture, out var wanted) && wanted > 0 && dataset.FindVersion(wanted) is null)
        {
            // Maybe published through another instance a moment ago: this one's snapshot may not have it yet.
            dataset = (await catalog.CatchUpAsync(ct)).FindServed(id);
        }

        if (dataset is null || dataset.IsRetired || dataset.Current is null)
        {
            return (null, Problems.NotFound($"No dataset '{id}' is published."));
        }

        var decision = await access.AuthorizeRowsAsync(http, dataset, door, ct);
        switch (decision.Outcome)
        {
            case AccessOutcome.Hidden:
                return (null, Problems.NotFound(decision.Message ?? $"No dataset '{id}' is published."));
            case AccessOutcome.NeedsGrant:
                return (null, Problems.Forbidden("grant-required", decision.Message ?? $"Rows of '{id}' need an approved application.",
                    new Dictionary<string, object?> { ["dataset"] = dataset.Identifier, ["apply"] = decision.ApplyUrl }));
        }

        var query = http.Request.Query;
        foreach (var name in DoorParameters)
        {
            if (query.TryGetValue(name, out var values) && values.Count > 1)
            {
                return (null, Problems.BadRequest("bad-value", $"'{name}' is given more than once.", name));
            }
        }

        var version = dataset.Current;
        var pinned = false;
        if (query.TryGetValue("version", out var versionText))
        {
            if (!int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            {
                return (null, Problems.BadRequest("bad-value", $"version must be a version number (1, 2, …), not '{Shorten(versionText.ToString())}'.", "version"));
            }

            version = dataset.FindVersion(n);
            if (version is null)
            {
                return (null, Problems.NotFound($"Dataset '{id}' has no version {n}; versions: {string.Join(", ", dataset.Versions.Select(v => v.Version).Order())}."));
            }

            pinned = true;
        }

        var count = false;
        if (query.TryGetValue("count", out var countText))
        {
            count = countText.ToString() switch
            {
                "exact" or "true" => true,
                "none" or "false" => false,
                _ => throw new QueryException(QueryErrorCodes.BadValue, $"count takes exact (or true) or none (or false), not '{Shorten(countText.ToString())}'.", "count"),
            };
        }

        if (query.ContainsKey("cursor") && query.ContainsKey("after"))
        {
            return (null, Problems.BadRequest("bad-value", "Give the cursor once, as cursor (after is its older name).", "cursor"));
        }

        foreach (var (key, value) in QueryPairs(http.Request))
        {
            // A long text value makes every row's comparison long: cap what a single condition may carry.
            var max = key.EndsWith("[in]", StringComparison.Ordinal) || key is "filter" or "aggregate" or "select" or "order" or "group_by" or "cursor" or "after" ? limits.MaxFilterLength : MaxValueLength;
            if (value is { Length: var length } && length > max)
            {
                throw new QueryException(QueryErrorCodes.TooComplex, $"The value of '{Shorten(key)}' has {length} characters; at most {max} are allowed.", Shorten(key));
            }
        }

        // cursor is the documented name of the parser's "after".
        var pairs = QueryPairs(http.Request).Select(p => p.Key == "cursor" ? new KeyValuePair<string, string?>("after", p.Value) : p);
        RowQuery Parse() => RestQueryParser.Parse(version.Shape, pairs, new RestQueryOptions
        {
            Limits = limits,
            IgnoredParameters = ParserIgnored,
            DoorParameters = [.. DoorParameters],
            AllowedFields = decision.Fields,
        });
        var cacheable = !query.ContainsKey("cursor") && !query.ContainsKey("after");
        var entry = ParsedQueries.GetOrParse(version.Shape, limits, decision.Fields, http.Request.QueryString.Value, cacheable, Parse);
        return (new RowRequest(dataset, version, pinned, entry?.Query ?? Parse(), count, query.ContainsKey("limit"), dataset.OpenClass == OpenClasses.Conditional) { Parsed = entry }, null);
    }

    /// <summary>
    /// A query error as RFC 9457: the parameter at fault, the error code, the position in filter= and close matches.
    /// A field outside the caller's grant is 403 (the query is fine; the key may not read that field), naming the field.
    /// </summary>
    public static ProblemHttpResult Problem(QueryException ex, HttpRequest request)
    {
        var parameter = ex.Target == "after" && request.Query.ContainsKey("cursor") ? "cursor" : ex.Target;
        // Every parameter of rows and downloads is a query parameter ("in" as in OpenAPI and the strict-query problems).
        var ext = new Dictionary<string, object?> { ["code"] = ex.Code, ["in"] = "query" };
        if (ex.Code == QueryErrorCodes.FieldNotGranted)
        {
            ext["parameter"] = parameter;
            ext["field"] = ex.Field;
            return Problems.Forbidden("field-not-granted", ex.Message, ext);
        }

        if (ex.Position is { } position)
        {
            ext["position"] = position;
        }

        if (ex.Suggestions.Count > 0)
        {
            ext["suggestions"] = ex.Suggestions;
        }

        return Problems.BadRequest(ex.Code.Replace('_', '-'), ex.Message, parameter, ext);
    }

    public static ProblemHttpResult Timeout() =>
        Problems.Create(StatusCodes.Status503ServiceUnavailable, "query-timeout", "Query took too long",
            "The query took longer than the time allowed for one request; narrow the filter, select fewer fields or page with a cursor.");

    /// <summary>
    /// PostgreSQL errors that come from the caller's values (data exceptions such as division by zero
    /// or a negative substring length, and program limits such as too deep an expression) are 400s.
    /// </summary>
    public static ProblemHttpResult? ClientError(PostgresException ex) =>
        ex.SqlState.StartsWith("22", StringComparison.Ordinal)
            ? Problems.BadRequest("data-error", $"The query failed on the data: {ex.MessageText}. Check the filter's arithmetic and function arguments.", "filter",
                new Dictionary<string, object?> { ["code"] = "data_error", ["sqlState"] = ex.SqlState })
            : ex.SqlState.StartsWith("54", StringComparison.Ordinal)
                ? Problems.BadRequest("too-complex", $"The query is too complex to run: {ex.MessageText}.", "filter",
                    new Dictionary<string, object?> { ["code"] = QueryErrorCodes.TooComplex, ["sqlState"] = ex.SqlState })
                : null;

    internal static string Shorten(string s) => s.Length <= 60 ? s : string.Concat(s.AsSpan(0, 57), "…");
}
