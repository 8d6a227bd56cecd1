using System.Globalization;
using DataOpen.Api.Access;
using DataOpen.Api.Catalog;
using DataOpen.Api.Rows;
using DataOpen.Core.Query;
using Microsoft.OData;
using Microsoft.OData.UriParser;

namespace DataOpen.Api.OData;

public static partial class ODataEndpoints
{
    private static async Task ServeResourceAsync(HttpContext http, ODataModel model, string serviceRoot, string relative, ODataFormat format, QueryRunner runner, PageReadAhead readAhead, IDatasetAccess access, ODataOptions options, CancellationToken ct)
    {
        foreach (var declined in DeclinedOptions)
        {
            if (http.Request.Query.ContainsKey(declined))
            {
                throw ODataRequestException.Unsupported(declined switch
                {
                    "$expand" => "$expand is not supported: entity sets have no navigation properties.",
                    "$search" => "$search is not supported; use $filter with contains(), e.g. $filter=contains(name,'公园'). The catalog's full-text search is at /api/v1/datasets?q=.",
                    _ => $"{declined} is not supported by this service.",
                }, declined);
            }
        }

        // A nextLink pinned to a version whose fields differ from the current version's (a publish that added or
        // removed fields happened mid-walk) is parsed against that version's fields, so the walk ends as it began.
        // A malformed token or unknown version is left to the checks below (after the access check, as before).
        if (http.Request.Query.TryGetValue("$skiptoken", out var pinToken) && model.Sets.TryGetValue(relative, out var pinSet)
            && pinSet.Dataset is { } pinDataset && SkipToken.TryParse(pinToken.ToString()) is { } pin && pinDataset.FindVersion(pin.Version) is { } pinVersion)
        {
            model = model.ForVersion(pinSet, pinVersion);
        }

        // A walk's requests differ only in $skiptoken: the parse of the rest is kept per model (so per catalog
        // version) and reused. Only successful parses are kept; a failing one fails the same way every time.
        var parseKey = relative + "?" + WithoutParameters(http.Request.QueryString.Value, "$skiptoken", "api_key");
        if (!model.Parsed.TryGetValue(parseKey, out var parsed))
        {
            parsed = null;
        }

        ODataSet set;
        if (parsed is not null)
        {
            set = model.Sets[parsed.SetName];
        }
        else
        {
            var root = new Uri(serviceRoot);
            var parser = new ODataUriParser(model.Edm, root, new Uri(root, relative + http.Request.QueryString.Value));
            var path = Parse("path", parser.ParsePath);
            var segments = path.ToList();
            if (segments.Count == 0 || segments[0] is not EntitySetSegment es || !model.Sets.TryGetValue(es.EntitySet.Name, out var found))
            {
                throw new ODataRequestException(StatusCodes.Status404NotFound, ODataErrorCodes.NotFound, $"'{relative}' is not an entity set of this service; the service document at {serviceRoot} lists them.");
            }

            set = found;
            IReadOnlyList<KeyValuePair<string, object>>? pathKey = segments.Count == 2 && segments[1] is KeySegment k ? k.Keys.ToList() : null;
            var pathCount = segments.Count == 2 && segments[1] is CountSegment;
            if (segments.Count > 2 || (segments.Count == 2 && pathKey is null && !pathCount))
            {
                throw ODataRequestException.Unsupported("Only entity sets, Set(key) and Set/$count are served; property paths and navigation are not.", "path");
            }

            parsed = new ParsedRequest(set.Name, pathKey, pathCount, parser);
        }

        var key = parsed.Key;
        var countOnly = parsed.CountOnly;
        IReadOnlySet<string>? allowed = null;
        if (set.Dataset is { } dataset)
        {
            var decision = await access.AuthorizeRowsAsync(http, dataset, Door, ct);
            allowed = decision.Fields;
            switch (decision.Outcome)
            {
                case AccessOutcome.NeedsGrant:
                    throw new ODataRequestException(StatusCodes.Status403Forbidden, ODataErrorCodes.Forbidden, decision.Message ?? $"The rows of '{dataset.Identifier}' need an approved API key.", set.Name, decision.ApplyUrl is null ? null : ["Apply at " + decision.ApplyUrl]);
                case AccessOutcome.Hidden:
                    throw new ODataRequestException(StatusCodes.Status404NotFound, ODataErrorCodes.NotFound, decision.Message ?? $"'{set.Name}' is not published.", set.Name);
            }
        }

        if (parsed.Parser is { } optionParser)
        {
            parsed = parsed with
            {
                Parser = null,
                Apply = Parse("$apply", optionParser.ParseApply),
                Filter = Parse("$filter", optionParser.ParseFilter),
                OrderBy = Parse("$orderby", optionParser.ParseOrderBy),
                Select = Parse("$select", optionParser.ParseSelectAndExpand),
                Top = Parse("$top", optionParser.ParseTop),
                Skip = Parse("$skip", optionParser.ParseSkip),
                Count = Parse("$count", optionParser.ParseCount) ?? false,
            };
            model.Remember(parseKey, parsed);
        }

        var (apply, filter, orderBy, select, top, skip, count) = (parsed.Apply, parsed.Filter, parsed.OrderBy, parsed.Select, parsed.Top, parsed.Skip, parsed.Count);
        var skipToken = http.Request.Query.TryGetValue("$skiptoken", out var st) ? st.ToString() : null;

        var plan = ODataTranslator.Translate(set, filter, orderBy, select, apply, allowed);
        if (format.Level == MetadataLevel.Full)
        {
            plan = plan.WithKeyColumns(set);
        }

        if (key is not null)
        {
            // Set(key) or Set(a=…,b=…): one condition per key property, on the declared key's unique index or on _row_id.
            plan = plan with { Filter = Expr.And([.. key.Select(kv => (Expr)Expr.Eq(Expr.Field(set.ColumnOf(kv.Key)), ODataTranslator.Literal(kv.Value, "key")))]), OrderBy = [] };
            var shape = set.ShapeFor(null);
            var compiled = QueryCompiler.Default.Compile(plan.ToRowQuery(shape) with { Limit = 1 });
            await WriteEntityAsync(http, set, plan, compiled, key, serviceRoot, format, runner, ct);
            if (set.Dataset is { } keyed)
            {
                await access.RecordServedAsync(http, keyed, null, Door, http.Request.QueryString.Value, 1, ct);
            }

            return;
        }

        if (top is { } t && t > options.MaxTop)
        {
            throw ODataRequestException.BadRequest(ODataErrorCodes.LimitExceeded, $"$top={t} is over the limit of {options.MaxTop}; omit $top and follow @odata.nextLink to read every row.", "$top");
        }

        if (skip is { } s && s > QueryCompiler.Default.Limits.MaxOffset)
        {
            throw ODataRequestException.BadRequest(ODataErrorCodes.LimitExceeded, $"$skip={s} is over the limit of {QueryCompiler.Default.Limits.MaxOffset}; follow @odata.nextLink (keyset paging) to read further.", "$skip");
        }

        var token = skipToken is null ? null : SkipToken.Parse(skipToken);
        var version = ResolveVersion(set, token);
        var query = plan.ToRowQuery(set.ShapeFor(version));

        if (countOnly)
        {
            var total = await runner.CountAsync(QueryCompiler.Default.CompileCount(query), ct);
            http.Response.ContentType = "text/plain;charset=utf-8";
            await http.Response.WriteAsync(total.ToString(CultureInfo.InvariantCulture), ct);
            return;
        }

        var pageSize = options.PageSize;
        var prefer = PreferredPageSize(http.Request);
        if (prefer is { } p)
        {
            pageSize = Math.Min(p, QueryCompiler.Default.Limits.MaxLimit);
            http.Response.Headers["Preference-Applied"] = "odata.maxpagesize=" + pageSize.ToString(CultureInfo.InvariantCulture);
        }

        var limit = (int)Math.Min(pageSize, top ?? long.MaxValue);
        if (token is not null && plan.IsGrouped != (token.Offset is not null))
        {
            throw ODataRequestException.BadRequest(ODataErrorCodes.BadSkipToken, "The $skiptoken does not belong to this query; use the @odata.nextLink of the previous page as is.", "$skiptoken");
        }

        query = query with
        {
            Limit = limit,
            Offset = token is null ? skip : token.Offset,
            After = token?.Cursor,
            IncludeCount = count,
        };

        var rows = QueryCompiler.Default.Compile(query);
        long? totalCount = count ? await runner.CountAsync(QueryCompiler.Default.CompileCount(query), ct) : null;
        var served = await WriteCollectionAsync(http, set, plan, rows, query, version, top, pageSize, serviceRoot, relative, format, totalCount, runner, readAhead, ct);
        if (set.Dataset is { } ds)
        {
            await access.RecordServedAsync(http, ds, version?.Version, Door, http.Request.QueryString.Value, served, ct);
        }
    }

    /// <summary>The query string without the named parameters, the rest byte for byte in order.</summary>
    private static string WithoutParameters(string? query, params string[] names) =>
        string.Join('&', (query ?? "").TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(part => !names.Contains(Uri.UnescapeDataString(part.Split('=', 2)[0]), StringComparer.Ordinal)));

    private static VersionInfo? ResolveVersion(ODataSet set, SkipToken? token)
    {
        if (set.Dataset is not { } d)
        {
            return token is null || token.Version == 0 ? null
                : throw ODataRequestException.BadRequest(ODataErrorCodes.BadSkipToken, "The $skiptoken does not belong to this entity set.", "$skiptoken");
        }

        if (token is null)
        {
            return d.Current;
        }

        return d.FindVersion(token.Version) ?? throw ODataRequestException.BadRequest(
            ODataErrorCodes.BadSkipToken, $"Version {token.Version} of '{d.Identifier}' named by the $skiptoken is not served; start again from the first page.", "$skiptoken");
    }

    private static int? PreferredPageSize(HttpRequest request)
    {
        foreach (var header in request.Headers["Prefer"])
        {
            foreach (var part in (header ?? "").Split(',', StringSplitOptions.TrimEntries))
            {
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0 && part[..eq].Trim().Equals("odata.maxpagesize", StringComparison.OrdinalIgnoreCase))
                {
                    return int.TryParse(part[(eq + 1)..].Trim().Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                        ? n
                        : throw ODataRequestException.BadRequest(ODataErrorCodes.BadSyntax, $"Prefer: {part} is not a positive page size.", "Prefer");
                }
            }
        }

        return null;
    }

    private static T Parse<T>(string target, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (ODataRequestException)
        {
            throw;
        }
        catch (ODataUnrecognizedPathException ex) when (target == "path")
        {
            throw new ODataRequestException(StatusCodes.Status404NotFound, ODataErrorCodes.NotFound, ex.Message + " The service document lists the entity sets.", target);
        }
        catch (Exception ex) when (ex is ODataException or ArgumentException or FormatException or OverflowException or InvalidOperationException)
        {
            var message = ex.Message;
            var code = message.Contains("Could not find a property named", StringComparison.Ordinal) ? ODataErrorCodes.UnknownProperty
                : message.Contains("incompatible types", StringComparison.Ordinal) || message.Contains("No function signature", StringComparison.Ordinal) || message.Contains("is not compatible", StringComparison.Ordinal) ? ODataErrorCodes.TypeMismatch
                : message.Contains("unknown function", StringComparison.OrdinalIgnoreCase) ? ODataErrorCodes.Unsupported
                : ODataErrorCodes.BadSyntax;
            throw ODataRequestException.BadRequest(code, message, target);
        }
    }
}
