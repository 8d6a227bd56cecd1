using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DataOpen.Api.Catalog;
using DataOpen.Api.Rows;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using Microsoft.OData.Edm;

namespace DataOpen.Api.OData;

public static partial class ODataEndpoints
{
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
            // The entity id from its key: the hidden _row_id (last column) or the key columns of the row.
            var rowIdOrdinal = compiled.Columns.Count - 1;
            var predicate = set.KeyPredicate(column =>
            {
                var ordinal = set.Dataset is not null && column == TableShape.RowIdColumn ? rowIdOrdinal : IndexOf(compiled, column);
                return ordinal < 0 || row.IsNull(ordinal) ? (null, false) : (row.GetValue(ordinal), true);
            });
            if (predicate is not null)
            {
                var id = serviceRoot + set.Name + predicate;
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
    private static async Task WriteEntityAsync(HttpContext http, ODataSet set, ODataPlan plan, CompiledQuery compiled, IReadOnlyList<KeyValuePair<string, object>> key, string serviceRoot, ODataFormat format, QueryRunner runner, CancellationToken ct)
    {
        await using var rows = runner.ReadRowsAsync(compiled, ct).GetAsyncEnumerator(ct);
        if (!await rows.MoveNextAsync())
        {
            throw new ODataRequestException(StatusCodes.Status404NotFound, ODataErrorCodes.NotFound, $"{set.Name} has no entity with key {string.Join(", ", key.Select(kv => kv.Key + " = " + ODataJson.KeyLiteral(kv.Value)))}.", set.Name);
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
