namespace DataOpen.Core.Catalog;

/// <summary>The column types a published dataset can have. Names are the ones used in dataset.json.</summary>
public enum FieldType
{
    Integer,
    BigInt,
    Decimal,
    Double,
    Boolean,
    Date,
    Timestamp,
    Text,
}

public static class FieldTypes
{
    private static readonly Dictionary<string, FieldType> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["integer"] = FieldType.Integer,
        ["bigint"] = FieldType.BigInt,
        ["decimal"] = FieldType.Decimal,
        ["double"] = FieldType.Double,
        ["boolean"] = FieldType.Boolean,
        ["date"] = FieldType.Date,
        ["timestamp"] = FieldType.Timestamp,
        ["text"] = FieldType.Text,
    };

    public static IReadOnlyCollection<string> Names => ByName.Keys;

    public static bool TryParse(string? name, out FieldType type)
    {
        if (name is not null && ByName.TryGetValue(name, out type))
        {
            return true;
        }

        type = FieldType.Text;
        return false;
    }

    /// <summary>The name used in dataset.json, the API and the Table Schema export.</summary>
    public static string ToName(this FieldType type) => type switch
    {
        FieldType.Integer => "integer",
        FieldType.BigInt => "bigint",
        FieldType.Decimal => "decimal",
        FieldType.Double => "double",
        FieldType.Boolean => "boolean",
        FieldType.Date => "date",
        FieldType.Timestamp => "timestamp",
        _ => "text",
    };

    /// <summary>PostgreSQL column type. Timestamps are stored as timestamptz (instants); sources without an offset are read in the dataset's time zone.</summary>
    public static string ToSqlType(this FieldType type) => type switch
    {
        FieldType.Integer => "integer",
        FieldType.BigInt => "bigint",
        FieldType.Decimal => "numeric",
        FieldType.Double => "double precision",
        FieldType.Boolean => "boolean",
        FieldType.Date => "date",
        FieldType.Timestamp => "timestamptz",
        _ => "text",
    };

    /// <summary>Frictionless Table Schema type name.</summary>
    public static string ToTableSchemaType(this FieldType type) => type switch
    {
        FieldType.Integer or FieldType.BigInt => "integer",
        FieldType.Decimal or FieldType.Double => "number",
        FieldType.Boolean => "boolean",
        FieldType.Date => "date",
        FieldType.Timestamp => "datetime",
        _ => "string",
    };

    public static bool IsNumeric(this FieldType type) =>
        type is FieldType.Integer or FieldType.BigInt or FieldType.Decimal or FieldType.Double;

    public static bool IsTemporal(this FieldType type) => type is FieldType.Date or FieldType.Timestamp;
}
