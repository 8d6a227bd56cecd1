namespace DataOpen.Core.Query;

/// <summary>
/// "Did you mean" help for unknown names: case and separators (<c>_</c>, <c>-</c>, <c>.</c>, space) do not
/// count, so <c>openClass</c> finds <c>open_class</c>; otherwise the closest by edit distance with
/// transpositions (Damerau–Levenshtein, optimal string alignment), or a name that contains the other.
/// </summary>
public static class Names
{
    public static IReadOnlyList<string> CloseMatches(string name, IEnumerable<string> candidates, int max = 3)
    {
        var key = Normalize(name);
        var limit = Math.Max(2, name.Length / 3);
        return candidates
            .Distinct(StringComparer.Ordinal)
            .Select(c => (c, k: Normalize(c)))
            .Select(x => (x.c, x.k, d: Distance(key, x.k)))
            .Where(x => key.Length > 0 && (x.d <= limit || x.k.Contains(key, StringComparison.Ordinal) || (key.Length >= 3 && key.Contains(x.k, StringComparison.Ordinal))))
            .OrderBy(x => x.d)
            .ThenBy(x => x.c, StringComparer.Ordinal)
            .Take(max)
            .Select(x => x.c)
            .ToArray();
    }

    public static string DidYouMean(IReadOnlyList<string> matches) =>
        matches.Count == 0 ? "" : " Did you mean " + string.Join(", ", matches.Select(m => "'" + m + "'")) + "?";

    /// <summary>Lower case without separators: the form two spellings of one name share.</summary>
    private static string Normalize(string s) =>
        string.Concat(s.Where(c => c is not ('_' or '-' or '.' or ' ')).Select(char.ToLowerInvariant));

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1.</summary>
    private static int Distance(string a, string b)
    {
        if (a.Length > 64 || b.Length > 64)
        {
            return int.MaxValue;
        }

        var w = b.Length + 1;
        var d = new int[(a.Length + 1) * w];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i * w] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var best = Math.Min(Math.Min(d[((i - 1) * w) + j] + 1, d[(i * w) + j - 1] + 1), d[((i - 1) * w) + j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    best = Math.Min(best, d[((i - 2) * w) + j - 2] + 1);
                }

                d[(i * w) + j] = best;
            }
        }

        return d[(a.Length * w) + b.Length];
    }
}
