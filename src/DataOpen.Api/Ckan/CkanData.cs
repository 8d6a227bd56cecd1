using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataOpen.Api.Ckan;

/// <summary>
/// An error as CKAN's action view (ckan/views/api.py) reports it: the HTTP status, <c>__type</c> and the rest of
/// the error dictionary. Validation errors carry <c>{field: [messages]}</c>, the others a <c>message</c>.
/// </summary>
public sealed class CkanException(int status, string type, JsonObject error) : Exception(error["message"]?.ToString() ?? type)
{
    public int Status { get; } = status;

    public string Type { get; } = type;

    public JsonObject Error { get; } = error;

    /// <summary>NotFound: 404 "Not Found Error", message "Not found" or "Not found: …".</summary>
    public static CkanException NotFound(string? detail = null) =>
        new(StatusCodes.Status404NotFound, "Not Found Error", new JsonObject { ["message"] = detail is null ? "Not found" : "Not found: " + detail });

    /// <summary>NotAuthorized: 403 "Authorization Error", message "Access denied: …".</summary>
    public static CkanException NotAuthorized(string detail) =>
        new(StatusCodes.Status403Forbidden, "Authorization Error", new JsonObject { ["message"] = "Access denied: " + detail });

    /// <summary>ValidationError: 409 "Validation Error" with one list of messages per field.</summary>
    public static CkanException Validation(string field, params string[] messages) =>
        new(StatusCodes.Status409Conflict, "Validation Error", new JsonObject { [field] = new JsonArray([.. messages.Select(m => (JsonNode)m)]) });

    /// <summary>SearchQueryError: 400 "Search Query Error", message "Search Query is invalid: (…,)" (Python's repr of the arguments).</summary>
    public static CkanException SearchQuery(string detail) =>
        new(StatusCodes.Status400BadRequest, "Search Query Error", new JsonObject { ["message"] = "Search Query is invalid: " + PythonArgs(detail) });

    /// <summary>SearchError (what Solr's errors become): 409 "Search Error", message "Search error: (…,)".</summary>
    public static CkanException Search(string detail) =>
        new(StatusCodes.Status409Conflict, "Search Error", new JsonObject { ["message"] = "Search error: " + PythonArgs(detail) });

    /// <summary>The repr of a one-argument exception's args tuple: <c>('text',)</c>, or double quotes when the text has a single quote.</summary>
    internal static string PythonArgs(string text) =>
        text.Contains('\'', StringComparison.Ordinal) && !text.Contains('"', StringComparison.Ordinal)
            ? "(\"" + text + "\",)"
            : "('" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "',)";
}

/// <summary>
/// The data dictionary of one action call, as ckan/views/api.py builds it: from the query string for a GET
/// (a parameter given once is a string, given more often a list of strings), from a JSON object or form body for
/// a POST. Values are read with the same rules as CKAN's validators (ckan/logic/validators.py).
/// </summary>
public sealed class CkanData(Dictionary<string, JsonNode?> values)
{
    public IReadOnlyDictionary<string, JsonNode?> Values => values;

    public IEnumerable<string> Keys => values.Keys;

    public bool Has(string key) => values.ContainsKey(key);

    public JsonNode? this[string key] => values.GetValueOrDefault(key);

    /// <summary>A string value; a JSON number or boolean as its text; null when absent or JSON null.</summary>
    public string? String(string key) => values.GetValueOrDefault(key) switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        JsonValue v => v.ToJsonString(),
        JsonArray a when a.Count > 0 => String(a[0]),
        JsonNode n => n.ToJsonString(),
    };

    private static string? String(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : node?.ToJsonString();

    /// <summary>int_validator: a whole number or its text; blank is absent; anything else "Invalid integer".</summary>
    public long? Int(string key)
    {
        var node = values.GetValueOrDefault(key);
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue v)
        {
            if (v.TryGetValue(out string? s))
            {
                if (string.IsNullOrWhiteSpace(s))
                {
                    return null;
                }

                if (long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
                {
                    return parsed;
                }
            }
            else if (v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double d) && Math.Abs(d) < 9e15 && d == Math.Floor(d))
            {
                return (long)d;
            }
        }

        throw CkanException.Validation(key, "Invalid integer");
    }

    /// <summary>natural_number_validator: an integer that is not negative ("Must be a natural number").</summary>
    public long? Natural(string key) => Int(key) is { } n && n < 0 ? throw CkanException.Validation(key, "Must be a natural number") : Int(key);

    /// <summary>boolean_validator / asbool: true, yes, t, y, 1 (any case) or JSON true; everything else false.</summary>
    public bool Bool(string key, bool absent)
    {
        var node = values.GetValueOrDefault(key);
        if (node is null)
        {
            return absent;
        }

        if (node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return v.GetValue<bool>();
        }

        return String(key)?.Trim().ToLowerInvariant() is "true" or "yes" or "t" or "y" or "1" or "on";
    }

    /// <summary>
    /// A list of strings: a JSON array, a string holding a JSON array (convert_to_json_if_string), or with
    /// <paramref name="commaSeparated"/> a comma-separated string; errors as CKAN's validators word them.
    /// </summary>
    public IReadOnlyList<string>? Strings(string key, bool commaSeparated, bool jsonText)
    {
        var node = values.GetValueOrDefault(key);
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue v && v.TryGetValue(out string? text))
        {
            if (jsonText)
            {
                try
                {
                    node = JsonNode.Parse(text);
                }
                catch (JsonException)
                {
                    throw CkanException.Validation(key, "Could not parse as valid JSON");
                }
            }
            else if (commaSeparated)
            {
                return text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            }
            else
            {
                return [text];
            }
        }

        if (node is not JsonArray array)
        {
            throw CkanException.Validation(key, commaSeparated ? "Neither a string nor a list" : "Not a list");
        }

        var list = new List<string>();
        foreach (var item in array)
        {
            if (item is not JsonValue iv || !iv.TryGetValue(out string? s))
            {
                throw CkanException.Validation(key, $"Not a string: {item?.ToJsonString() ?? "None"}");
            }

            list.Add(s);
        }

        return list;
    }

    /// <summary>json_validator: a JSON object, or a string holding one ("Cannot parse JSON").</summary>
    public JsonNode? Json(string key)
    {
        var node = values.GetValueOrDefault(key);
        if (node is JsonValue v && v.TryGetValue(out string? text))
        {
            try
            {
                return JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                throw CkanException.Validation(key, "Cannot parse JSON");
            }
        }

        return node;
    }

    /// <summary>From a GET's query string, less the keys DataOpen reads itself (api_key) and CKAN removes (callback).</summary>
    public static CkanData FromQuery(IQueryCollection query)
    {
        var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (key, value) in query)
        {
            if (key is "api_key" or "callback")
            {
                continue;
            }

            values[key] = value.Count == 1 ? JsonValue.Create(value[0]) : new JsonArray([.. value.Select(v => (JsonNode?)JsonValue.Create(v))]);
        }

        return new CkanData(values);
    }

    /// <summary>
    /// The data of a POST, in CKAN's order: a form (a single key with value "1" or "" is the JSON itself), then
    /// the query string of a GET-able action, then the JSON body, which must be an object. A bad body is CKAN's
    /// 400 "Bad request - JSON Error: …" (<see cref="CkanBadRequestException"/>).
    /// </summary>
    public static async Task<CkanData> FromPostAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            if (form.Count == 1 && form.First().Value.ToString() is "1" or "")
            {
                return FromJsonText(form.First().Key);
            }

            var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
            foreach (var (key, value) in form)
            {
                values[key] = value.Count == 1 ? JsonValue.Create(value[0]) : new JsonArray([.. value.Select(v => (JsonNode?)JsonValue.Create(v))]);
            }

            return new CkanData(values);
        }

        if (request.Query.Keys.Any(k => k is not ("api_key" or "callback")))
        {
            return FromQuery(request.Query);
        }

        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(ct);
        return string.IsNullOrWhiteSpace(body) ? new CkanData(new(StringComparer.Ordinal)) : FromJsonText(body);
    }

    private static CkanData FromJsonText(string text)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new CkanBadRequestException($"JSON Error: Error decoding JSON data. Error: {ex.Message}");
        }

        if (node is not JsonObject obj)
        {
            throw new CkanBadRequestException($"JSON Error: Request data JSON decoded to {node?.ToJsonString() ?? "None"} but it needs to be a dictionary.");
        }

        return new CkanData(obj.ToDictionary(kv => kv.Key, kv => kv.Value?.DeepClone(), StringComparer.Ordinal));
    }
}

/// <summary>CKAN's <c>_finish_bad_request</c>: a 400 whose body is the JSON string "Bad request - …", no envelope.</summary>
public sealed class CkanBadRequestException(string detail) : Exception("Bad request - " + detail);
