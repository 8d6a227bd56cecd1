namespace DataOpen.Core.Catalog;

/// <summary>
/// One column of a published dataset version, as the query engine and the doors see it.
/// <see cref="Name"/> is the public ASCII name (<c>[a-z][a-z0-9_]*</c>) used in every API;
/// it is also the PostgreSQL column name, always quoted when compiled.
/// </summary>
public sealed record FieldInfo(
    string Name,
    FieldType Type,
    int Ordinal,
    string? TitleZh = null,
    string? TitleEn = null,
    string? Description = null,
    string? Unit = null,
    string? ValueDomain = null,
    string Sensitivity = "public");

/// <summary>
/// The shape of one published, immutable dataset version: its table and its fields.
/// Every published table also has the hidden column <see cref="RowIdColumn"/>, the row's
/// position in the source file, used as the final tie-breaker of every keyset order.
/// </summary>
public sealed class TableShape
{
    public const string RowIdColumn = "_row_id";

    private readonly Dictionary<string, FieldInfo> byName;

    public TableShape(string schema, string table, IEnumerable<FieldInfo> fields)
    {
        Schema = schema;
        Table = table;
        Fields = fields.OrderBy(f => f.Ordinal).ToArray();
        byName = Fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }

    public string Schema { get; }

    public string Table { get; }

    public IReadOnlyList<FieldInfo> Fields { get; }

    public bool TryGetField(string name, out FieldInfo field) => byName.TryGetValue(name, out field!);

    /// <summary>Quoted, schema-qualified table name; both parts come from the catalog, never from a request.</summary>
    public string QualifiedName => $"{Sql.QuoteIdentifier(Schema)}.{Sql.QuoteIdentifier(Table)}";
}

public static class Sql
{
    /// <summary>Quotes an identifier for PostgreSQL, doubling embedded quotes.</summary>
    public static string QuoteIdentifier(string identifier)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        if (identifier.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("Identifiers cannot contain NUL.", nameof(identifier));
        }

        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
