using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataOpen.Api.Access;
using DataOpen.Api.Rows;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using Npgsql;
using SortKey = DataOpen.Core.Query.SortKey;

namespace DataOpen.Api.Ckan;

/// <summary>
/// datastore_search (ckanext/datastore/logic/action.py, schema.py and backend/postgres.py) on the row engine: the
/// request becomes a <see cref="RowQuery"/> on the resource's dataset version (the current one), compiled and run
/// as REST rows are, under the same access rule (conditional data needs a grant; a grant limited to some fields
/// serves only those) and recorded in usage and the audit log. The resource id is a resource's UUID or, as a CKAN
/// alias, the dataset identifier. There is no datastore_search_sql.
/// </summary>
public sealed class CkanDatastore(IDatasetAccess access, QueryRunner runner)
{
    /// <summary>datastore_search_schema's keys.</summary>
    public static readonly string[] Parameters =
    [
        "resource_id", "id", "filters", "q", "full_text", "plain", "language", "fields", "sort", "limit", "offset", "distinct",
        "include_total", "total_estimation_threshold", "records_format",
    ];

    private static readonly HashSet<string> Known = new(Parameters, StringComparer.Ordinal);

    public async Task<CkanResult> SearchAsync(HttpContext http, CkanIndex index, CkanData data, CancellationToken ct)
    {
        var resourceId = data.String("resource_id") ?? data.String("id");
        if (string.IsNullOrEmpty(resourceId))
        {
            throw CkanException.Validation("resource_id", "Missing value");
        }

        var limits = QueryLimits.Default;
        var limit = (int)Math.Min(data.Natural("limit") ?? 100, limits.MaxLimit);
        var offset = data.Int("offset") ?? 0;
        var includeTotal = data.Bool("include_total", absent: true);
        var threshold = data.Int("total_estimation_threshold");
        var format = data.String("records_format") ?? "objects";
        if (format is not ("objects" or "lists" or "csv" or "tsv"))
        {
            throw CkanException.Validation("records_format", "Value must be one of ['objects', 'lists', 'csv', 'tsv']");
        }

        var dataset = (index.Resource(resourceId)?.Dataset ?? index.Package(resourceId))
            ?? throw CkanException.NotFound($"Resource \"{resourceId}\" was not found.");
        var decision = await access.AuthorizeRowsAsync(http, dataset, Doors.Ckan, ct);
        switch (decision.Outcome)
        {
            case AccessOutcome.Hidden:
                throw CkanException.NotFound($"Resource \"{resourceId}\" was not found.");
            case AccessOutcome.NeedsGrant:
                throw CkanException.NotAuthorized(decision.Message ?? $"rows of '{dataset.Identifier}' need an approved application.");
        }

        var version = dataset.Current!;
        var shape = version.Shape;
        var readable = shape.Fields.Where(f => decision.Fields is not { } g || g.Contains(f.Name)).ToList();

        // backend/postgres.py validate(): whatever is left after the known parts were taken is 'invalid value'.
        var filters = Filters(data, shape);
        var text = Text(data, readable);
        var fields = data.Strings("fields", commaSeparated: true, jsonText: false);
        if (fields?.FirstOrDefault(f => f != "_id" && !shape.TryGetField(f, out _)) is { } badField)
        {
            throw CkanException.Validation("fields", $"invalid value \"{badField}\"");
        }

        var order = Sort(data, shape);
        if (offset < 0)
        {
            throw CkanException.Validation("offset", $"invalid value \"{offset}\"");
        }

        if (offset > limits.MaxOffset)
        {
            throw CkanException.Validation("offset", $"at most {limits.MaxOffset} rows may be skipped; narrow the filters instead");
        }

        if (data.Keys.Where(k => !Known.Contains(k)).Order(StringComparer.Ordinal).FirstOrDefault() is { } extra)
        {
            throw CkanException.Validation("__extras", $"invalid value \"{extra}\"");
        }

        var distinct = data.Bool("distinct", absent: false);
        var select = fields?.Where(f => f != "_id").ToList();
        var query = new RowQuery(shape)
        {
            Filter = And([.. filters, .. text]),
            Select = select is { Count: > 0 } ? select : null,
            AllowedFields = decision.Fields,
            OrderBy = order,
            Limit = limit,
            Offset = offset > 0 ? offset : null,
            GroupBy = distinct ? [.. (select is { Count: > 0 } ? select : readable.Select(f => f.Name))] : null,
        };

        CompiledQuery compiled;
        CompiledQuery? countQuery;
        try
        {
            compiled = QueryCompiler.Default.Compile(query);
            countQuery = includeTotal ? QueryCompiler.Default.CompileCount(query) : null;
        }
        catch (QueryException ex) when (ex.Code == QueryErrorCodes.FieldNotGranted)
        {
            throw CkanException.NotAuthorized(ex.Message);
        }
        catch (QueryException ex)
        {
            throw CkanException.Validation(ex.Target ?? "query", ex.Message);
        }

        RowPage page;
        long? total = null;
        try
        {
            page = await runner.PageAsync(compiled, ct);
            if (countQuery is not null)
            {
                total = await runner.CountAsync(countQuery, ct);
            }
        }
        catch (QueryTimeoutException)
        {
            throw CkanException.Validation("query", "Search took too long");
        }
        catch (PostgresException ex) when (ex.SqlState.StartsWith("22", StringComparison.Ordinal) || ex.SqlState.StartsWith("54", StringComparison.Ordinal))
        {
            throw CkanException.Validation("query", "Invalid query");
        }

        await access.RecordServedAsync(http, dataset, version.Version, Doors.Ckan, http.Request.QueryString.Value, page.Rows.Count, ct);
        var withId = !distinct && (fields is null || fields.Contains("_id"));
        var columns = compiled.Columns.Select((c, i) => (c, i)).Where(x => !x.c.Hidden).ToList();
        var rowIdAt = compiled.Columns.Select((c, i) => (c, i)).Where(x => x.c.Name == TableShape.RowIdColumn).Select(x => x.i).DefaultIfEmpty(-1).First();
        withId &= rowIdAt >= 0;
        var echo = new JsonObject
        {
            ["include_total"] = includeTotal,
            ["limit"] = limit,
            ["records_format"] = format,
            ["resource_id"] = resourceId,
            ["total_estimation_threshold"] = threshold,
        };
        foreach (var key in new[] { "filters", "q", "sort", "offset", "distinct", "plain", "language", "full_text" })
        {
            if (data[key] is { } v)
            {
                echo[key] = key switch
                {
                    "filters" => data.Json(key)?.DeepClone(),
                    "sort" => new JsonArray([.. data.Strings("sort", commaSeparated: true, jsonText: false)!.Select(s => (JsonNode)s)]),
                    "offset" => offset,
                    _ => v.DeepClone(),
                };
            }
        }

        var fieldList = new JsonArray();
        if (withId)
        {
            fieldList.Add(new JsonObject { ["id"] = "_id", ["type"] = "int" });
        }

        foreach (var (c, _) in columns)
        {
            var field = new JsonObject { ["id"] = c.Name, ["type"] = PgType(c.Type) };
            if (shape.TryGetField(c.Name, out var info))
            {
                field["info"] = new JsonObject { ["label"] = info.TitleZh ?? "", ["notes"] = Notes(info), ["type_override"] = "" };
            }

            fieldList.Add(field);
        }

        return new CkanResult(w =>
        {
            w.WriteStartObject();
            foreach (var (key, value) in echo)
            {
                w.WritePropertyName(key);
                JsonWrite(w, value);
            }

            w.WritePropertyName("records");
            WriteRecords(w, format, page.Rows, [.. columns.Select(x => (x.c.Name, x.i))], withId ? rowIdAt : -1);
            w.WritePropertyName("fields");
            fieldList.WriteTo(w);
            w.WritePropertyName("_links");
            Links(http.Request, limit, offset).WriteTo(w);
            if (total is { } t)
            {
                w.WriteNumber("total", t);
                w.WriteBoolean("total_was_estimated", false);
            }

            w.WriteEndObject();
        });
    }

    private static void JsonWrite(Utf8JsonWriter w, JsonNode? value)
    {
        if (value is null)
        {
            w.WriteNullValue();
        }
        else
        {
            value.WriteTo(w);
        }
    }

    private static string Notes(FieldInfo f) =>
        string.Join("；", new[] { f.TitleEn, f.Description, f.Unit is null ? null : "单位 unit: " + f.Unit, f.ValueDomain }.Where(s => !string.IsNullOrEmpty(s)));

    /// <summary>filters: {field: value} is equality, {field: [values]} is IN; a field the table lacks is 'invalid value'.</summary>
    private static List<Expr> Filters(CkanData data, TableShape shape)
    {
        var node = data.Json("filters");
        if (node is null)
        {
            return [];
        }

        if (node is not JsonObject obj)
        {
            throw CkanException.Validation("filters", "Not a dict");
        }

        var list = new List<Expr>();
        foreach (var (name, value) in obj)
        {
            if (!shape.TryGetField(name, out _))
            {
                throw CkanException.Validation("filters", $"invalid value \"{name}\"");
            }

            list.Add(value is JsonArray array
                ? Expr.In(Expr.Field(name), [.. array.Select(Literal)])
                : Expr.Eq(Expr.Field(name), Expr.Const(Literal(value))));
        }

        return list;
    }

    private static object? Literal(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        JsonValue v when v.TryGetValue(out long l) => l,
        JsonValue v when v.TryGetValue(out decimal m) => m,
        JsonValue v => v.GetValue<double>(),
        _ => node.ToJsonString(),
    };

    /// <summary>
    /// q as a string (or full_text): every word must occur in some text field; q as {field: text}: the text must
    /// occur in that field. Matching is case-insensitive substring matching (CKAN ranks with PostgreSQL's tsvector).
    /// </summary>
    private static List<Expr> Text(CkanData data, IReadOnlyList<FieldInfo> readable)
    {
        var list = new List<Expr>();
        var textFields = readable.Where(f => f.Type == FieldType.Text).Select(f => f.Name).ToList();
        foreach (var key in new[] { "q", "full_text" })
        {
            var node = key == "q" ? QValue(data) : data["full_text"];
            if (node is JsonObject perField)
            {
                foreach (var (name, value) in perField)
                {
                    if (!readable.Any(f => f.Name == name) || value is not JsonValue v || !v.TryGetValue(out string? s))
                    {
                        throw CkanException.Validation("q", $"invalid value \"{name}\"");
                    }

                    list.Add(Expr.Call("icontains", Expr.Field(name), Expr.Const(s)));
                }
            }
            else if (node is JsonValue value && value.TryGetValue(out string? words) && !string.IsNullOrWhiteSpace(words))
            {
                foreach (var word in words.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                {
                    list.Add(textFields.Count == 0 ? Expr.Eq(Expr.Const(1), Expr.Const(0))
                        : Expr.Or([.. textFields.Select(f => (Expr)Expr.Call("icontains", Expr.Field(f), Expr.Const(word)))]));
                }
            }
        }

        return list;
    }

    /// <summary>unicode_or_json_validator: a string that parses as a JSON object is the per-field form.</summary>
    private static JsonNode? QValue(CkanData data)
    {
        var node = data["q"];
        if (node is JsonValue v && v.TryGetValue(out string? s) && s.TrimStart().StartsWith('{'))
        {
            try
            {
                return JsonNode.Parse(s) as JsonObject ?? node;
            }
            catch (JsonException)
            {
                return node;
            }
        }

        return node;
    }

    /// <summary>sort: "field1, field2 desc"; a clause that is not a field with asc or desc is 'invalid value'.</summary>
    private static List<SortKey> Sort(CkanData data, TableShape shape)
    {
        var keys = new List<SortKey>();
        foreach (var clause in data.Strings("sort", commaSeparated: true, jsonText: false) ?? [])
        {
            var bits = clause.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var name = bits.Length > 0 ? bits[0].Trim('"') : "";
            var direction = bits.Length > 1 ? bits[1].ToLowerInvariant() : "asc";
            if (bits.Length is < 1 or > 2 || direction is not ("asc" or "desc") || (!shape.TryGetField(name, out _) && name != "_id"))
            {
                throw CkanException.Validation("sort", $"invalid value \"{clause}\"");
            }

            if (name != "_id")
            {
                keys.Add(new SortKey(name, direction == "desc"));
            }
        }

        return keys;
    }

    private static Expr? And(List<Expr> parts) => parts.Count == 0 ? null : Expr.And([.. parts]);

    /// <summary>PostgreSQL's type names, as CKAN's datastore reports a column's type.</summary>
    public static string PgType(FieldType type) => type switch
    {
        FieldType.Integer => "int4",
        FieldType.BigInt => "int8",
        FieldType.Decimal => "numeric",
        FieldType.Double => "float8",
        FieldType.Boolean => "bool",
        FieldType.Date => "date",
        FieldType.Timestamp => "timestamp",
        _ => "text",
    };

    private static void WriteRecords(Utf8JsonWriter w, string format, IReadOnlyList<object?[]> rows, (string Name, int Ordinal)[] columns, int idAt)
    {
        var ordinals = columns.Select(c => c.Ordinal).ToArray();
        if (format is "csv" or "tsv")
        {
            var sb = new StringBuilder();
            var separator = format == "csv" ? ',' : '\t';
            foreach (var row in rows)
            {
                var cells = (idAt >= 0 ? [idAt, .. ordinals] : ordinals).Select(i => row[i] is null or DBNull ? "" : Quote(ValueText.FormatCsv(row[i]!), separator));
                sb.Append(string.Join(separator, cells)).Append('\n');
            }

            w.WriteStringValue(sb.ToString());
            return;
        }

        w.WriteStartArray();
        foreach (var row in rows)
        {
            if (format == "lists")
            {
                w.WriteStartArray();
            }
            else
            {
                w.WriteStartObject();
            }

            if (idAt >= 0)
            {
                if (format != "lists")
                {
                    w.WritePropertyName("_id");
                }

                JsonRows.WriteValue(w, row[idAt]);
            }

            foreach (var (name, i) in columns)
            {
                if (format != "lists")
                {
                    w.WritePropertyName(name);
                }

                JsonRows.WriteValue(w, row[i]);
            }

            if (format == "lists")
            {
                w.WriteEndArray();
            }
            else
            {
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
    }

    private static string Quote(string value, char separator) =>
        value.IndexOfAny([separator, '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    /// <summary>_insert_links: the same URL with offset removed (start) and advanced by limit (next), and prev when there is one.</summary>
    private static JsonObject Links(HttpRequest request, int limit, long offset)
    {
        var pairs = request.Query.Where(kv => kv.Key is not ("offset" or "api_key")).SelectMany(kv => kv.Value.Select(v => new KeyValuePair<string, string?>(kv.Key, v))).ToList();
        string Url(long? at) => request.PathBase + request.Path + QueryString.Create(at is null ? pairs : [.. pairs, new("offset", at.Value.ToString(CultureInfo.InvariantCulture))]);
        var links = new JsonObject { ["start"] = Url(null), ["next"] = Url(offset + limit) };
        if (offset - limit > 0)
        {
            links["prev"] = Url(offset - limit);
        }

        return links;
    }
}
