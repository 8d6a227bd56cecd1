using System.Collections.Concurrent;
using System.Collections.Frozen;
using DataOpen.Api.Catalog;
using DataOpen.Api.Rows;
using DataOpen.Core.Catalog;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;
using Microsoft.OData.UriParser.Aggregation;

namespace DataOpen.Api.OData;

/// <summary>
/// One entity set of the feed: a served dataset (rows of its current version; key: the declared primaryKey, or
/// <c>RowId</c> = the hidden <c>_row_id</c>, which every entity carries) or a catalog view (<c>Datasets</c>,
/// <c>Publishers</c>, <c>Themes</c>). EDM property names equal the column names except <c>RowId</c>.
/// </summary>
public sealed class ODataSet
{
    private readonly FrozenDictionary<string, string> columnOf;

    internal ODataSet(string name, EdmEntitySet entitySet, EdmEntityType type, DatasetEntry? dataset, TableShape? catalogShape, string keyProperty, string keyColumn, FieldType keyType, IEnumerable<(string Property, string Column)> properties, IReadOnlyList<(string Property, string Column, FieldType Type)> entityKey)
    {
        Name = name;
        EntitySet = entitySet;
        EntityType = type;
        Dataset = dataset;
        CatalogShape = catalogShape;
        KeyProperty = keyProperty;
        KeyColumn = keyColumn;
        KeyType = keyType;
        EntityKey = entityKey;
        columnOf = properties.ToFrozenDictionary(p => p.Property, p => p.Column, StringComparer.Ordinal);
        PropertyOf = columnOf.ToFrozenDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);
    }

    public string Name { get; }

    public IEdmEntitySet EntitySet { get; }

    public IEdmEntityType EntityType { get; }

    /// <summary>The dataset behind a dataset set; null for catalog sets.</summary>
    public DatasetEntry? Dataset { get; }

    private TableShape? CatalogShape { get; }

    public string KeyProperty { get; }

    public string KeyColumn { get; }

    public FieldType KeyType { get; }

    /// <summary>The entity key in key order: the declared primaryKey's fields, or the one <c>RowId</c> (<see cref="KeyProperty"/>).</summary>
    public IReadOnlyList<(string Property, string Column, FieldType Type)> EntityKey { get; }

    /// <summary>True when the key is the declared primaryKey rather than <c>RowId</c>.</summary>
    public bool HasDeclaredKey => Dataset is not null && EntityKey[0].Column != TableShape.RowIdColumn;

    /// <summary>
    /// The key predicate of an entity URL, as OData writes it: <c>('x')</c> or <c>(1)</c> for one key property,
    /// <c>(a='x',b=1)</c> for several. Null when a key value is missing.
    /// </summary>
    public string? KeyPredicate(Func<string, (object? Value, bool Found)> valueOf)
    {
        var parts = new List<string>(EntityKey.Count);
        foreach (var (property, column, type) in EntityKey)
        {
            var (value, found) = valueOf(column);
            if (!found || value is null)
            {
                return null;
            }

            var literal = ODataJson.KeyLiteral(value, type);
            parts.Add(EntityKey.Count == 1 ? literal : property + "=" + literal);
        }

        return "(" + string.Join(',', parts) + ")";
    }

    /// <summary>Column name → EDM property name.</summary>
    public FrozenDictionary<string, string> PropertyOf { get; }

    /// <summary>The SQL column of an EDM property (the key of dataset sets is <c>_row_id</c>).</summary>
    public string ColumnOf(string property) => columnOf.TryGetValue(property, out var c) ? c : property;

    /// <summary>
    /// The table the engine queries: a version's shape plus <c>_row_id</c> as an ordinary bigint
    /// field, so that key lookups and <c>$filter=RowId …</c> compile like any other field.
    /// </summary>
    public TableShape ShapeFor(VersionInfo? version)
    {
        if (Dataset is null)
        {
            return CatalogShape!;
        }

        return RowKeys.ShapeWithRowId(version ?? Dataset.Current!);
    }
}

/// <summary>
/// A request URL as ODataLib parsed it against one model: the entity set, Set(key) or Set/$count, and the
/// query options. <see cref="Parser"/> is set only while the options are still to be parsed.
/// </summary>
internal sealed record ParsedRequest(string SetName, IReadOnlyList<KeyValuePair<string, object>>? Key, bool CountOnly, ODataUriParser? Parser)
{
    public ApplyClause? Apply { get; init; }

    public FilterClause? Filter { get; init; }

    public OrderByClause? OrderBy { get; init; }

    public SelectExpandClause? Select { get; init; }

    public long? Top { get; init; }

    public long? Skip { get; init; }

    public bool Count { get; init; }
}
