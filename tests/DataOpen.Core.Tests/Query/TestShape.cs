using DataOpen.Core.Catalog;

namespace DataOpen.Core.Tests.Query;

/// <summary>A fixed table with one column of every type, used by all golden tests.</summary>
internal static class TestShape
{
    public static readonly TableShape Air = new("data", "air__v1",
    [
        new FieldInfo("station", FieldType.Text, 0),
        new FieldInfo("district_code", FieldType.Integer, 1),
        new FieldInfo("readings", FieldType.BigInt, 2),
        new FieldInfo("pm25", FieldType.Decimal, 3),
        new FieldInfo("temperature", FieldType.Double, 4),
        new FieldInfo("is_open", FieldType.Boolean, 5),
        new FieldInfo("report_date", FieldType.Date, 6),
        new FieldInfo("observed_at", FieldType.Timestamp, 7),
    ]);

    public const string AllColumns = "\"station\", \"district_code\", \"readings\", \"pm25\", \"temperature\", \"is_open\", \"report_date\", \"observed_at\", \"_row_id\"";
}
