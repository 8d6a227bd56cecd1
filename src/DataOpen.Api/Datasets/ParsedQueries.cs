using System.Collections.Concurrent;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;

namespace DataOpen.Api.Datasets;

/// <summary>
/// REST queries already parsed, by what decides the parse: the version's table (its <see cref="TableShape"/>
/// instance: versions are immutable), the limits of the door, the fields a grant covers and the query string as
/// sent. The same URL asked again (a dashboard, a page linked from a site, a client polling) skips parsing, the
/// per-condition checks, compiling and the ETag's normalization, which a profile of the rows endpoint showed to
/// be a third of its own CPU per page. Everything that depends on the caller (dataset found, access decided,
/// version chosen, value lengths) still runs on every request; only a parse that succeeded is kept. Cursor
/// pages are not kept: each cursor is asked once. Bounded: when full, the cache is emptied and fills again
/// with what is being asked.
/// </summary>
public static class ParsedQueries
{
    /// <summary>Entries kept at most (a few KB each).</summary>
    public const int Capacity = 2048;

    private static readonly ConcurrentDictionary<Key, Entry> Entries = new();

    private readonly record struct Key(TableShape Shape, QueryLimits Limits, string? Fields, string QueryString);

    /// <summary>One parsed query with what is derived from it alone, computed on first use.</summary>
    public sealed class Entry(RowQuery query)
    {
        public RowQuery Query { get; } = query;

        /// <summary>The rows SQL, compiled by the door's compiler (set by the door on first use).</summary>
        public CompiledQuery? Rows { get; set; }

        /// <summary>The count SQL when count=exact was asked (set by the door on first use).</summary>
        public CompiledQuery? Count { get; set; }

        /// <summary>ETags by door (rows, download:csv, …).</summary>
        public ConcurrentDictionary<string, string> Etags { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Entries held now (tests).</summary>
    public static int Count => Entries.Count;

    /// <summary>The entry for this query, parsing it with <paramref name="parse"/> when it is not kept yet (null: not cacheable, parse each time).</summary>
    public static Entry? GetOrParse(TableShape shape, QueryLimits limits, IReadOnlySet<string>? fields, string? queryString, bool cacheable, Func<RowQuery> parse)
    {
        if (!cacheable)
        {
            return null;
        }

        var key = new Key(shape, limits, fields is null ? null : string.Join(',', fields.Order(StringComparer.Ordinal)), queryString ?? "");
        if (Entries.TryGetValue(key, out var entry))
        {
            return entry;
        }

        entry = new Entry(parse());
        if (Entries.Count >= Capacity)
        {
            Entries.Clear();
        }

        Entries[key] = entry;
        return entry;
    }
}
