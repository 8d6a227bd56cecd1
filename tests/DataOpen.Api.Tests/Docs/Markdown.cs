using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DataOpen.Api.Tests.Docs;

/// <summary>The little of Markdown the docs checks need: fenced blocks, headings with GitHub's anchors, relative links.</summary>
public static partial class Markdown
{
    /// <summary>One line of a page with whether it is inside a fenced code block, and the fence's info string (e.g. <c>graphql</c>).</summary>
    public readonly record struct Line(int Number, string Text, bool InFence, string Fence);

    public static IEnumerable<Line> Lines(string text)
    {
        var fence = (string?)null;
        var info = "";
        var number = 0;
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            number++;
            var trimmed = raw.TrimStart();
            var marker = trimmed.StartsWith("```", StringComparison.Ordinal) ? "```" : trimmed.StartsWith("~~~", StringComparison.Ordinal) ? "~~~" : null;
            if (fence is null && marker is not null)
            {
                fence = marker;
                info = trimmed[3..].Trim().Split(' ')[0].ToLowerInvariant();
                continue;
            }

            if (fence is not null && marker == fence && trimmed.Trim() == marker)
            {
                fence = null;
                info = "";
                continue;
            }

            yield return new Line(number, raw, fence is not null, info);
        }
    }

    /// <summary>
    /// The anchors GitHub gives a page's headings: the heading's text without markup, lower-cased, every character
    /// that is not a letter, mark, digit, connector (<c>_</c>), space or hyphen removed, spaces made hyphens; a
    /// repeated anchor gets <c>-1</c>, <c>-2</c>…. Explicit <c>&lt;a name&gt;</c>/<c>id</c> anchors count too.
    /// </summary>
    public static HashSet<string> Anchors(string text)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in Lines(text).Where(l => !l.InFence))
        {
            foreach (Match explicitAnchor in ExplicitAnchor().Matches(line.Text))
            {
                anchors.Add(explicitAnchor.Groups[1].Value);
            }

            var heading = Heading().Match(line.Text);
            if (!heading.Success)
            {
                continue;
            }

            var slug = Slug(heading.Groups[1].Value);
            var n = seen.GetValueOrDefault(slug);
            seen[slug] = n + 1;
            anchors.Add(n == 0 ? slug : slug + "-" + n.ToString(CultureInfo.InvariantCulture));
        }

        return anchors;
    }

    public static string Slug(string heading)
    {
        var plain = LinkInText().Replace(heading.Trim(), "$1").Replace("`", "", StringComparison.Ordinal);
        var sb = new StringBuilder();
        foreach (var c in plain.ToLowerInvariant())
        {
            var category = char.GetUnicodeCategory(c);
            if (c == ' ')
            {
                sb.Append('-');
            }
            else if (c == '-' || char.IsLetterOrDigit(c) || category is UnicodeCategory.ConnectorPunctuation
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.LetterNumber)
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary>A link or image outside code: its line and target as written.</summary>
    public readonly record struct Link(int Line, string Target);

    public static IEnumerable<Link> Links(string text)
    {
        foreach (var line in Lines(text).Where(l => !l.InFence))
        {
            // Code spans are blanked (same length), so `[x](y)` inside code is no link while [`x`](y) still is.
            var visible = CodeSpan().Replace(line.Text, m => new string('x', m.Length));
            foreach (Match m in InlineLink().Matches(visible))
            {
                yield return new Link(line.Number, m.Groups[1].Value);
            }
        }
    }

    [GeneratedRegex(@"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"<a\s+(?:name|id)=""([^""]+)""")]
    private static partial Regex ExplicitAnchor();

    [GeneratedRegex(@"\[([^\]]*)\]\([^)]*\)")]
    private static partial Regex LinkInText();

    [GeneratedRegex(@"`+[^`]*`+")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+""[^""]*"")?\s*\)")]
    private static partial Regex InlineLink();
}
