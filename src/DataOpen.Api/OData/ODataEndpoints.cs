using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DataOpen.Api.Access;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Rows;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using Microsoft.Extensions.Options;
using Microsoft.OData;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;
using Microsoft.OData.UriParser.Aggregation;
using Npgsql;

namespace DataOpen.Api.OData;

/// <summary>
/// The OData v4 feed at <c>/odata</c>: service document, <c>$metadata</c>, and for every entity set
/// collections, <c>Set(key)</c> and <c>Set/$count</c>. ODataLib parses the URL against the model
/// of the current catalog version; <see cref="ODataTranslator"/> turns the parse tree into a
/// <see cref="RowQuery"/>; the shared engine compiles it; rows stream from <see cref="QueryRunner"/>
/// into a <see cref="Utf8JsonWriter"/>. No IQueryable, nothing filtered in memory.
/// </summary>
public static class ODataEndpoints
{
    public const string Door = "odata";
    public const string RoutePrefix = "/odata";

    private static readonly string[] DeclinedOptions = ["$expand", "$search", "$compute", "$index", "$deltatoken", "$levels", "$schemaversion"];

    public static IEndpointRouteBuilder MapODataFeeds(this IEndpointRouteBuilder app)
    {
        // Created now so it subscribes to CatalogStore.Changed before the catalog first loads.
        _ = app.ServiceProvider.GetRequiredService<ODataModelProvider>();
        app.MapGet(RoutePrefix + "/{**path}", HandleAsync)
            .WithName("ODataFeed")
            .WithTags("OData")
            .WithSummary("OData v4 feed: service document, $metadata, entity sets with $filter, $select, $orderby, $top, $skip, $count, $apply")
            .ExcludeFromDescription();
        return app;
    }

    internal static async Task HandleAsync(HttpContext http, ODataModelProvider models, QueryRunner runner, PageReadAhead readAhead, IDatasetAccess access, IOptions<ODataOptions> options, ILoggerFactory loggers)
    {
        var ct = http.RequestAborted;
        var model = models.Current;
        http.Response.Headers["OData-Version"] = "4.0";
        try
        {
            var format = ODataFormat.From(http.Request);
            var relative = http.Request.Path.ToUriComponent()[RoutePrefix.Length..].TrimStart('/');
            var serviceRoot = CatalogEndpoints.BaseUrl(http.Request) + RoutePrefix + "/";
            if (relative.Length == 0)
            {
                await WriteServiceDocumentAsync(http, model, serviceRoot, format);
            }
            else if (relative == "$metadata")
            {
                await WriteMetadataAsync(http, model, format);
            }
            else
            {
                if (format.XmlRequested)
                {
                    throw ODataRequestException.BadRequest(ODataErrorCodes.Unsupported, "Entity sets are served as JSON only; XML is available for $metadata.", "$format");
                }

                await ServeResourceAsync(http, model, serviceRoot, relative, format, runner, readAhead, access, options.Value, ct);
            }
        }
        catch (Exception ex) when (http.Response.HasStarted && DatabaseFaults.IsUnavailable(ex))
        {
            // The database went away while rows were being sent: cut the response (see below).
            http.RequestServices.GetRequiredService<Database>().ReportFault(ex);
            loggers.CreateLogger(typeof(ODataEndpoints)).LogWarning("OData response aborted: the database became unreachable mid-response ({Message})", ex.GetBaseException().Message);
            http.Abort();
        }
        catch (Exception ex) when (ToODataError(ex) is { } error)
        {
            if (http.Response.HasStarted)
            {
                // Rows were already sent: cut the response so the client sees a failure, not a short page.
                loggers.CreateLogger(typeof(ODataEndpoints)).LogWarning(ex, "OData response aborted after it started: {Message}", ex.Message);
                http.Abort();
                return;
            }

            await ODataJson.WriteErrorAsync(http, error);
        }
    }

    /// <summary>Every failure caused by the request becomes an OData error; anything else stays an exception (500 problem).</summary>
    private static ODataRequestException? ToODataError(Exception ex) => ex switch
    {
        ODataRequestException e => e,
        QueryException q => FromQueryException(q),
        QueryTimeoutException t => new ODataRequestException(StatusCodes.Status503ServiceUnavailable, ODataErrorCodes.Timeout, t.Message),
        // Data exceptions (division by zero, numeric overflow, invalid substring length) come from values the client wrote.
        PostgresException p when p.SqlState.StartsWith("22", StringComparison.Ordinal) =>
            ODataRequestException.BadRequest(ODataErrorCodes.BadValue, $"The query failed on the data: {p.MessageText}.", "$filter"),
        _ => null,
    };

    private static ODataRequestException FromQueryException(QueryException q)
    {
        var target = q.Target switch
        {
            "filter" => "$filter",
            "select" => "$select",
            "order" => "$orderby",
            "limit" => "$top",
            "offset" => "$skip",
            "after" => "$skiptoken",
            "group_by" or "aggregate" => "$apply",
            var t => t,
        };
        if (q.Code == QueryErrorCodes.FieldNotGranted)
        {
            // Not a malformed query: the key may not read that property.
            return new ODataRequestException(StatusCodes.Status403Forbidden, ODataErrorCodes.FieldNotGranted, q.Message, target);
        }

        var code = q.Code switch
        {
            QueryErrorCodes.UnknownField => ODataErrorCodes.UnknownProperty,
            QueryErrorCodes.TypeMismatch => ODataErrorCodes.TypeMismatch,
            QueryErrorCodes.LimitExceeded or QueryErrorCodes.TooComplex => ODataErrorCodes.LimitExceeded,
            QueryErrorCodes.BadCursor => ODataErrorCodes.BadSkipToken,
            QueryErrorCodes.UnknownFunction or QueryErrorCodes.UnknownOperator => ODataErrorCodes.Unsupported,
            QueryErrorCodes.BadValue => ODataErrorCodes.BadValue,
            _ => ODataErrorCodes.BadSyntax,
        };
        return ODataRequestException.BadRequest(code, q.Message, target, q.Suggestions.Select(s => $"Did you mean '{s}'?").ToList());
    }

    private static async Task WriteServiceDocumentAsync(HttpContext http, ODataModel model, string serviceRoot, ODataFormat format)
    {
        http.Response.ContentType = format.ContentType;
        var apiKey = http.Request.Query["api_key"].FirstOrDefault();
        var json = ODataJson.CreateWriter(http.Response.BodyWriter);
        await using (json)
        {
            json.WriteStartObject();
            if (format.Level != MetadataLevel.None)
            {
                json.WriteString("@odata.context", serviceRoot + "$metadata");
            }

            json.WriteStartArray("value");
            foreach (var set in model.Sets.Values.OrderBy(s => s.Dataset is null).ThenBy(s => s.Name, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("name", set.Name);
                json.WriteString("kind", "EntitySet");
                // Excel and Power BI cannot send headers: a key given as api_key travels on to every set's URL.
                json.WriteString("url", apiKey is null ? set.Name : set.Name + "?api_key=" + Uri.EscapeDataString(apiKey));
                if (set.Dataset is { } d)
                {
                    json.WriteString("title", d.Metadata.Title.Zh);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }
    }

    private static async Task WriteMetadataAsync(HttpContext http, ODataModel model, ODataFormat format)
    {
        var etag = $"\"odata-metadata-{model.CatalogVersion.ToString(CultureInfo.InvariantCulture)}-{(format.Json ? "json" : "xml")}\"";
        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = "public, max-age=60";
        if (http.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            http.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        http.Response.ContentType = format.Json ? "application/json;charset=utf-8" : "application/xml;charset=utf-8";
        await http.Response.Body.WriteAsync(format.Json ? model.MetadataJson : model.MetadataXml);
    }

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
            var pathKey = segments.Count == 2 && segments[1] is KeySegment k ? k.Keys.First().Value : null;
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

        if (key is not null)
        {
            plan = plan with { Filter = Expr.Eq(Expr.Field(set.KeyColumn), Expr.Const(key)), OrderBy = [] };
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

    private static string ContextUrl(string serviceRoot, ODataSet set, ODataPlan plan, bool entity)
    {
        var sb = new StringBuilder(serviceRoot).Append("$metadata#").Append(set.Name);
        if (plan.IsGrouped)
        {
            sb.Append('(').AppendJoin(',', plan.GroupBy!.Select(g => set.PropertyOf.GetValueOrDefault(g, g)).Concat(plan.Aggregates!.Select(a => a.Alias))).Append(')');
        }
        else if (plan.SelectExplicit || plan.AllowedFields is not null)
        {
            // A limited grant returns fewer properties than the type declares: the context names those returned.
            var names = (plan.IncludeKey ? [set.KeyProperty] : Array.Empty<string>()).Concat(plan.OutputColumns.Select(c => set.PropertyOf.GetValueOrDefault(c, c))).Distinct(StringComparer.Ordinal);
            sb.Append('(').AppendJoin(',', names).Append(')');
        }

        if (entity)
        {
            sb.Append("/$entity");
        }

        return sb.ToString();
    }

    /// <summary>Output properties in row order: (name, ordinal in the compiled row, field type).</summary>
    private static List<(JsonEncodedText Name, JsonEncodedText? TypeAnnotation, int Ordinal)> OutputColumns(ODataSet set, ODataPlan plan, CompiledQuery compiled, MetadataLevel level)
    {
        var result = new List<(JsonEncodedText, JsonEncodedText?, int)>();
        void Add(string name, FieldType type, int ordinal) =>
            result.Add((JsonEncodedText.Encode(name, ODataJson.WriterOptions.Encoder),
                level == MetadataLevel.Full && ODataJson.TypeAnnotation(type) is { } t ? JsonEncodedText.Encode(name + "@odata.type") : null, ordinal));

        if (plan.IsGrouped)
        {
            for (var i = 0; i < compiled.Columns.Count; i++)
            {
                var c = compiled.Columns[i];
                Add(set.PropertyOf.GetValueOrDefault(c.Name, c.Name), c.Type, i);
            }

            return result;
        }

        if (plan.IncludeKey)
        {
            Add(set.KeyProperty, FieldType.BigInt, compiled.Columns.Count - 1);
        }

        for (var i = 0; i < plan.OutputColumns.Count; i++)
        {
            var c = compiled.Columns[i];
            Add(set.PropertyOf.GetValueOrDefault(c.Name, c.Name), c.Type, i);
        }

        return result;
    }

    private static void WriteRow(Utf8JsonWriter json, ODataSet set, ODataPlan plan, List<(JsonEncodedText Name, JsonEncodedText? TypeAnnotation, int Ordinal)> columns, CompiledQuery compiled, ResultRow row, string serviceRoot, ODataFormat format)
    {
        json.WriteStartObject();
        WriteMembers(json, set, plan, columns, compiled, row, serviceRoot, format);
        json.WriteEndObject();
    }

    /// <summary>A row's members: with full metadata its type, id and read link, then every output property (with its type annotation).</summary>
    private static void WriteMembers(Utf8JsonWriter json, ODataSet set, ODataPlan plan, List<(JsonEncodedText Name, JsonEncodedText? TypeAnnotation, int Ordinal)> columns, CompiledQuery compiled, ResultRow row, string serviceRoot, ODataFormat format)
    {
        if (format.Level == MetadataLevel.Full && !plan.IsGrouped)
        {
            json.WriteString("@odata.type", "#" + set.EntityType.FullName());
            var keyOrdinal = set.Dataset is not null ? compiled.Columns.Count - 1 : IndexOf(compiled, set.KeyColumn);
            if (keyOrdinal >= 0)
            {
                var id = serviceRoot + set.Name + "(" + ODataJson.KeyLiteral(row.IsNull(keyOrdinal) ? null : row.GetValue(keyOrdinal)) + ")";
                json.WriteString("@odata.id", id);
                json.WriteString("@odata.readLink", id);
            }
        }

        foreach (var (name, annotation, ordinal) in columns)
        {
            if (annotation is { } a && !row.IsNull(ordinal))
            {
                json.WriteString(a, "#" + ODataJson.TypeAnnotation(compiled.Columns[ordinal].Type)![1..]);
            }

            json.WritePropertyName(name);
            ODataJson.WriteValue(json, row, ordinal, format.Ieee754Compatible);
        }
    }

    private static int IndexOf(CompiledQuery compiled, string column)
    {
        for (var i = 0; i < compiled.Columns.Count; i++)
        {
            if (compiled.Columns[i].Name == column)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The entity with key <paramref name="key"/>: its members beside the context; 404 when there is none.</summary>
    private static async Task WriteEntityAsync(HttpContext http, ODataSet set, ODataPlan plan, CompiledQuery compiled, object key, string serviceRoot, ODataFormat format, QueryRunner runner, CancellationToken ct)
    {
        await using var rows = runner.ReadRowsAsync(compiled, ct).GetAsyncEnumerator(ct);
        if (!await rows.MoveNextAsync())
        {
            throw new ODataRequestException(StatusCodes.Status404NotFound, ODataErrorCodes.NotFound, $"{set.Name} has no entity with {set.KeyProperty} {ODataJson.KeyLiteral(key)}.", set.Name);
        }

        http.Response.ContentType = format.ContentType;
        var json = ODataJson.CreateWriter(http.Response.BodyWriter);
        await using (json)
        {
            json.WriteStartObject();
            if (format.Level != MetadataLevel.None)
            {
                json.WriteString("@odata.context", ContextUrl(serviceRoot, set, plan, entity: true));
            }

            WriteMembers(json, set, plan, OutputColumns(set, plan, compiled, format.Level), compiled, rows.Current, serviceRoot, format);
            json.WriteEndObject();
        }
    }

    private static async Task<int> WriteCollectionAsync(
        HttpContext http, ODataSet set, ODataPlan plan, CompiledQuery compiled, RowQuery query, VersionInfo? version, long? top, int pageSize,
        string serviceRoot, string relative, ODataFormat format, long? totalCount, QueryRunner runner, PageReadAhead readAhead, CancellationToken ct)
    {
        var columns = OutputColumns(set, plan, compiled, format.Level);
        // How this request writes a row; a page read ahead with the same key holds exactly these bytes. The key
        // names the format, and the entity set and service root that full metadata puts in every row.
        var renderer = new PageRenderer(
            string.Join('\u001f', format.ContentType, set.Name, set.EntityType.FullName(), format.Level == MetadataLevel.Full ? serviceRoot : ""),
            ODataJson.WriterOptions,
            (json, row) => WriteRow(json, set, plan, columns, compiled, row, serviceRoot, format));

        using var ready = await readAhead.TakeAsync(compiled, renderer, ct);
        await using var rows = (ready is null ? runner.ReadRowsAsync(compiled, ct) : AsyncEnumerable.Empty<ResultRow>()).GetAsyncEnumerator(ct);
        // The first row is read before any byte is sent, so that most query failures still become an error response.
        var more = await rows.MoveNextAsync();

        http.Response.ContentType = format.ContentType;
        var pipe = http.Response.BodyWriter;
        var json = ODataJson.CreateWriter(pipe);
        await using (json)
        {
            json.WriteStartObject();
            if (format.Level != MetadataLevel.None)
            {
                json.WriteString("@odata.context", ContextUrl(serviceRoot, set, plan, entity: false));
            }

            if (totalCount is { } total)
            {
                json.WritePropertyName("@odata.count");
                ODataJson.WriteValue(json, total, format.Ieee754Compatible);
            }

            json.WriteStartArray("value");
            var written = 0;
            object?[]? last = null;
            var hasMore = false;
            if (ready is not null)
            {
                // The rows were written while read ahead: send their bytes as they are, flushing every 64 KB.
                // The writer sees an empty array, so it closes it without a comma.
                json.Flush();
                var pending = 0;
                foreach (var segment in ready.Json)
                {
                    pipe.Write(segment.Span);
                    pending += segment.Length;
                    if (pending > ODataJson.FlushThreshold)
                    {
                        pending = 0;
                        await pipe.FlushAsync(ct);
                    }
                }

                (written, last, hasMore) = (ready.Rows, ready.Last, ready.HasMore);
            }

            var flushed = json.BytesCommitted;
            while (more)
            {
                if (written == compiled.PageSize)
                {
                    hasMore = true;
                    break;
                }

                WriteRow(json, set, plan, columns, compiled, rows.Current, serviceRoot, format);
                written++;
                if (written == compiled.PageSize)
                {
                    last = rows.Current.ToArray(); // the last row of a full page: the next page's cursor starts after it
                }

                // BytesPending alone never grows past the pipe's segment (4 KB): count what was committed since the last flush.
                if (json.BytesCommitted + json.BytesPending - flushed > ODataJson.FlushThreshold)
                {
                    json.Flush();
                    flushed = json.BytesCommitted;
                    await pipe.FlushAsync(ct);
                }

                more = await rows.MoveNextAsync();
            }

            json.WriteEndArray();
            var remaining = top is { } t ? t - written : (long?)null;
            if (hasMore && last is not null && remaining is null or > 0)
            {
                var token = compiled.SupportsCursor
                    ? new SkipToken(version?.Version ?? 0, compiled.CreateCursor(last), null)
                    : new SkipToken(version?.Version ?? 0, null, (query.Offset ?? 0) + written);
                if (version is not null && token.Cursor is not null)
                {
                    // Rows of a published version never change: read the next pages while the client reads this one.
                    // The request for a page compiles the same query from its nextLink: same page size, no $skip, the
                    // cursor after the previous page (and the rest of $top: then only the next page is read).
                    if (remaining is null)
                    {
                        readAhead.Start(last, renderer, (lastRow, pages) => QueryCompiler.Default.Compile(query with { After = compiled.CreateCursor(lastRow), Offset = null, Limit = pages * pageSize }));
                    }
                    else
                    {
                        readAhead.Start(QueryCompiler.Default.Compile(query with { After = token.Cursor, Offset = null, Limit = (int)Math.Min(pageSize, remaining.Value) }), renderer);
                    }
                }

                json.WriteString("@odata.nextLink", NextLink(http.Request, serviceRoot, relative, token, remaining));
            }

            json.WriteEndObject();
            return written;
        }
    }

    /// <summary>
    /// The request URL with the new <c>$skiptoken</c> and the remaining <c>$top</c>, without <c>$skip</c>
    /// (the token already starts after it). Other parameters (<c>api_key</c>, <c>$format</c>…) are kept
    /// byte for byte as the client sent them.
    /// </summary>
    private static string NextLink(HttpRequest request, string serviceRoot, string relative, SkipToken token, long? remainingTop)
    {
        var kept = (request.QueryString.Value ?? "").TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(part =>
            {
                var name = Uri.UnescapeDataString(part.Split('=', 2)[0]);
                return name is not ("$skiptoken" or "$skip" or "$top");
            })
            .ToList();
        if (remainingTop is { } r)
        {
            kept.Add("$top=" + r.ToString(CultureInfo.InvariantCulture));
        }

        kept.Add("$skiptoken=" + token);
        return serviceRoot + relative + "?" + string.Join('&', kept);
    }
}
