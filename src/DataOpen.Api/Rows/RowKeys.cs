using System.Collections.Concurrent;
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

    private static readonly ConditionalWeakTable<VersionInfo, ConcurrentDictionary<string, KeyLookup>> Lookups = new();

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
    /// The compiled lookup of <paramref name="names"/> on <paramref name="version"/> returning <paramref name="select"/>
    /// (null: every field of the version the caller may read) to a caller granted <paramref name="allowed"/> (null: every field), at most <paramref name="limit"/> rows: compiled
    /// once and kept with the version (a lookup differs from the next only in its values), up to
    /// <see cref="MaxLookupsPerVersion"/> selections per version; past that each request compiles its own.
    /// </summary>
    public static KeyLookup Lookup(VersionInfo version, IReadOnlyList<string> names, IReadOnlyList<string>? select, IReadOnlySet<string>? allowed, int limit)
    {
        var byRowId = names.Count == 1 && names[0] == TableShape.RowIdColumn;
        var shape = byRowId ? ShapeWithRowId(version) : version.Shape;
        var key = string.Join('\u001f', names) + "\u001e" + (select is null ? "*" : string.Join('\u001f', select)) + "\u001e"
            + (allowed is null ? "*" : string.Join('\u001f', allowed.Order(StringComparer.Ordinal))) + "\u001e" + limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var lookups = Lookups.GetValue(version, _ => new ConcurrentDictionary<string, KeyLookup>(StringComparer.Ordinal));
        if (lookups.TryGetValue(key, out var lookup))
        {
            return lookup;
        }

        // No selection: every field the caller may read, of the version's own fields (the row position is not one of them).
        select ??= version.Shape.Fields.Select(f => f.Name).Where(n => allowed is null || allowed.Contains(n)).ToList();
        lookup = KeyLookup.Compile(QueryCompiler.Default, shape, names, select, allowed, limit);
        return lookups.Count < MaxLookupsPerVersion ? lookups.GetOrAdd(key, lookup) : lookup;
    }

    /// <summary>Compiled lookups kept per version (one per key, selection, grant and limit that was asked).</summary>
    public const int MaxLookupsPerVersion = 256;

    /// <summary>
    /// Splits a key path segment into its values: one value, or for a composite key the values in key order separated by
    /// commas (a comma inside a value is written <c>\,</c>, a backslash <c>\\</c> — the rule of the REST <c>[in]</c> lists).
    /// </summary>
    public static IReadOnlyList<string> SplitSegment(string segment) => RestQueryParser.SplitList(segment);
}
