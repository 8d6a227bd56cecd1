using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataOpen.Api.Rows;

/// <summary>
/// The parameters of a recorded query as JSON with their types (<c>[{"t":"long","v":"5"}]</c>), so a builder
/// on any instance can EXPLAIN the same statement with the same types. Types are those a compiled query
/// binds: string, long, decimal, double, bool, DateOnly, TimeOnly and UTC DateTimeOffset.
/// </summary>
public static class SampleParameters
{
    public static string ToJson(IReadOnlyList<object> parameters)
    {
        var array = new JsonArray();
        foreach (var p in parameters)
        {
            var (t, v) = p switch
            {
                string s => ("text", s),
                long l => ("long", l.ToString(CultureInfo.InvariantCulture)),
                decimal d => ("decimal", d.ToString(CultureInfo.InvariantCulture)),
                double d => ("double", d.ToString("R", CultureInfo.InvariantCulture)),
                bool b => ("bool", b ? "true" : "false"),
                DateOnly d => ("date", d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                TimeOnly t1 => ("time", t1.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)),
                DateTimeOffset d => ("timestamptz", d.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)),
                _ => ("text", Convert.ToString(p, CultureInfo.InvariantCulture) ?? ""),
            };
            array.Add(new JsonObject { ["t"] = t, ["v"] = v });
        }

        return array.ToJsonString();
    }

    public static IReadOnlyList<object> FromJson(string json)
    {
        var list = new List<object>();
        foreach (var e in JsonDocument.Parse(json).RootElement.EnumerateArray())
        {
            var v = e.GetProperty("v").GetString() ?? "";
            list.Add(e.GetProperty("t").GetString() switch
            {
                "long" => long.Parse(v, CultureInfo.InvariantCulture),
                "decimal" => decimal.Parse(v, CultureInfo.InvariantCulture),
                "double" => double.Parse(v, CultureInfo.InvariantCulture),
                "bool" => v == "true",
                "date" => DateOnly.ParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                "time" => TimeOnly.Parse(v, CultureInfo.InvariantCulture),
                "timestamptz" => DateTimeOffset.Parse(v, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind).ToUniversalTime(),
                _ => v,
            });
        }

        return list;
    }
}
