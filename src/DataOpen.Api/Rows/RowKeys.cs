using System.Runtime.CompilerServices;
using DataOpen.Api.Catalog;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using DataOpen.Core.Query.Rest;

namespace DataOpen.Api.Rows;

/// <summary>
/// How every door addresses one row: by the key a version was published with (its declared <c>primaryKey</c>, unique and
/// without nulls, backed by the unique index <c>{table}_key</c>), or by the engine's row position <c>_row_id</c> where
/// none was declared. Doors parse their own syntax (REST path segment, OData key predicate, GraphQL arguments) into one
/// value per key field; this builds the lookup the engine compiles, so the SQL is the same through every door.
/// </summary>
public static class RowKeys
{
    private static readonly ConditionalWeakTable<VersionInfo, TableShape> WithRowIds = new();

    /// <summary>The fields of the version's declared key, in key order; empty when it has none (rows go by <c>_row_id</c>).</summary>
    public static IReadOnlyList<FieldInfo> DeclaredKey(VersionInfo version)
    {
        if (version.PrimaryKey is not { Count: > 0 } names)
        {
            return [];
        }

        var fields = new List<FieldInfo>(names.Count);
        foreach (var name in names)
        {
            if (!version.Shape.TryGetField(name, out var field))
            {
                return [];
            }

            fields.Add(field);
        }

        return fields;
    }

    /// <summary>The key fields' names a lookup on <paramref name="version"/> takes: the declared key, or <c>_row_id</c>.</summary>
    public static IReadOnlyList<string> KeyNames(VersionInfo version) =>
        DeclaredKey(version) is { Count: > 0 } key ? key.Select(f => f.Name).ToList() : [TableShape.RowIdColumn];

    /// <summary>
    /// The version's shape with <c>_row_id</c> as an ordinary bigint field, so a lookup by row position type-checks
    /// and compiles like any other condition (kept per version: shapes never change).
    /// </summary>
    public static TableShape ShapeWithRowId(VersionInfo version) =>
        WithRowIds.GetValue(version, v => new TableShape(v.Shape.Schema, v.Shape.Table,
            v.Shape.Fields.Append(new FieldInfo(TableShape.RowIdColumn, FieldType.BigInt, int.MaxValue))));

    /// <summary>
    /// The condition selecting the row whose key fields equal <paramref name="values"/> (one per name, in order).
    /// Text values are converted to each field's type by the engine, as REST conditions are; typed values pass as they are.
    /// </summary>
    public static Expr Match(IReadOnlyList<string> names, IReadOnlyList<object?> values)
    {
        if (names.Count != values.Count || names.Count == 0)
        {
            throw new ArgumentException("One value per key field is needed.", nameof(values));
        }

        var conditions = names.Select((n, i) => (Expr)Expr.Eq(Expr.Field(n), Expr.Const(values[i]))).ToList();
        return Expr.And([.. conditions]);
    }

    /// <summary>
    /// Splits a key path segment into its values: one value, or for a composite key the values in key order separated by
    /// commas (a comma inside a value is written <c>\,</c>, a backslash <c>\\</c> — the rule of the REST <c>[in]</c> lists).
    /// </summary>
    public static IReadOnlyList<string> SplitSegment(string segment) => RestQueryParser.SplitList(segment);
}
