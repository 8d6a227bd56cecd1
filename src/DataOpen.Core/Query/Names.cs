namespace DataOpen.Core.Query;

/// <summary>"Did you mean" help for unknown names.</summary>
internal static class Names
{
    public static IReadOnlyList<string> CloseMatches(string name, IEnumerable<string> candidates, int max = 3)
    {
        var lower = name.ToLowerInvariant();
        return candidates
            .Select(c => (c, d: Distance(lower, c.ToLowerInvariant())))
            .Where(x => x.d <= Math.Max(2, lower.Length / 3) || x.c.Contains(lower, StringComparison.OrdinalIgnoreCase) || (lower.Length >= 3 && lower.Contains(x.c, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(x => x.d)
            .ThenBy(x => x.c, StringComparer.Ordinal)
            .Take(max)
            .Select(x => x.c)
            .ToArray();
    }

    public static string DidYouMean(IReadOnlyList<string> matches) =>
        matches.Count == 0 ? "" : " Did you mean " + string.Join(", ", matches.Select(m => "'" + m + "'")) + "?";

    private static int Distance(string a, string b)
    {
        if (a.Length > 64 || b.Length > 64)
        {
            return int.MaxValue;
        }

        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            prev[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }

            (prev, cur) = (cur, prev);
        }

        return prev[b.Length];
    }
}
