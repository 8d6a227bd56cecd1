using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DataOpen.Api.Ckan;

/// <summary>The searchable fields of one package, as CKAN's Solr index names them (tags, organization, res_format, extras_* …).</summary>
public interface ICkanDocument
{
    /// <summary>The values of a field; null when the index has no such field (Solr: "undefined field").</summary>
    IReadOnlyList<string>? Values(string field);

    /// <summary>The instant of a date field (metadata_modified, metadata_created), or null.</summary>
    DateTimeOffset? Instant(string field);

    /// <summary>Free text (Solr's <c>text</c> field): title, notes, tags and extras, case-insensitively.</summary>
    bool TextContains(string term);
}

/// <summary>
/// The part of Solr's standard query syntax that CKAN clients send in <c>q</c> and <c>fq</c>: <c>field:value</c>,
/// quoted phrases, <c>*</c> and <c>?</c> wildcards, <c>field:*</c>, ranges <c>[a TO b]</c> and <c>{a TO b}</c> (ISO
/// dates, <c>*</c>, <c>NOW</c> and <c>NOW-7DAYS</c>-style date math), <c>+</c>/<c>-</c>/<c>NOT</c>, <c>AND</c>/<c>OR</c>
/// and parentheses; clauses without an operator are combined with AND (CKAN sends <c>q.op=AND</c>). A bare word
/// searches the text. Anything else is CKAN's "Search Error", as Solr's parse errors are.
/// </summary>
public static partial class CkanQuery
{
    public static Func<ICkanDocument, bool> Parse(string text, DateTimeOffset now)
    {
        var parser = new Parser(text, now);
        var expr = parser.Or();
        parser.SkipSpace();
        if (!parser.AtEnd)
        {
            throw CkanException.Search($"Cannot parse '{text}': unexpected '{parser.Rest}'");
        }

        return expr;
    }

    /// <summary>Whether a <c>q</c> uses field syntax (and is parsed here) rather than being free text for the full-text search.</summary>
    public static bool IsFielded(string q) => FieldedPattern().IsMatch(q);

    [GeneratedRegex(@"(^|[\s(+\-])[A-Za-z_][\w.]*:")]
    private static partial Regex FieldedPattern();

    private sealed class Parser(string text, DateTimeOffset now)
    {
        private int pos;

        public bool AtEnd => pos >= text.Length;

        public string Rest => text[pos..];

        public void SkipSpace()
        {
            while (pos < text.Length && char.IsWhiteSpace(text[pos]))
            {
                pos++;
            }
        }

        private bool Keyword(string word)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, pos, word, 0, word.Length) == 0
                && (pos + word.Length == text.Length || char.IsWhiteSpace(text[pos + word.Length]) || text[pos + word.Length] == '('))
            {
                pos += word.Length;
                return true;
            }

            return false;
        }

        public Func<ICkanDocument, bool> Or()
        {
            var parts = new List<Func<ICkanDocument, bool>> { And() };
            while (Keyword("OR") || Keyword("||"))
            {
                parts.Add(And());
            }

            return parts.Count == 1 ? parts[0] : d => parts.Exists(p => p(d));
        }

        private Func<ICkanDocument, bool> And()
        {
            var parts = new List<Func<ICkanDocument, bool>>();
            while (true)
            {
                SkipSpace();
                if (AtEnd || text[pos] == ')' || Peek("OR") || Peek("||"))
                {
                    break;
                }

                if (Keyword("AND") || Keyword("&&"))
                {
                    continue;
                }

                parts.Add(Unary());
            }

            if (parts.Count == 0)
            {
                throw CkanException.Search($"Cannot parse '{text}': a clause is missing at position {pos}");
            }

            return parts.Count == 1 ? parts[0] : d => parts.TrueForAll(p => p(d));
        }

        private bool Peek(string word)
        {
            var saved = pos;
            var found = Keyword(word);
            pos = saved;
            return found;
        }

        private Func<ICkanDocument, bool> Unary()
        {
            SkipSpace();
            if (Keyword("NOT") || text[pos] == '-' || text[pos] == '!')
            {
                if (text[pos] is '-' or '!')
                {
                    pos++;
                }

                var inner = Unary();
                return d => !inner(d);
            }

            if (text[pos] == '+')
            {
                pos++;
                return Unary();
            }

            return Primary();
        }

        private Func<ICkanDocument, bool> Primary()
        {
            SkipSpace();
            if (text[pos] == '(')
            {
                pos++;
                var inner = Or();
                Expect(')');
                return inner;
            }

            var start = pos;
            var name = Word(stopAtColon: true);
            if (pos < text.Length && text[pos] == ':' && name.Length > 0 && !name.StartsWith('"'))
            {
                pos++;
                return FieldValue(name);
            }

            pos = start;
            var term = Value();
            return term.Pattern is null ? d => d.TextContains(term.Text) : d => d.TextContains(term.Text.Replace("*", "", StringComparison.Ordinal).Replace("?", "", StringComparison.Ordinal));
        }

        private Func<ICkanDocument, bool> FieldValue(string field)
        {
            SkipSpace();
            if (AtEnd)
            {
                throw CkanException.Search($"Cannot parse '{text}': no value after '{field}:'");
            }

            if (text[pos] == '(')
            {
                pos++;
                var parts = new List<(Func<ICkanDocument, bool> Test, bool Or)>();
                var or = false;
                while (true)
                {
                    SkipSpace();
                    if (AtEnd)
                    {
                        throw CkanException.Search($"Cannot parse '{text}': ')' expected");
                    }

                    if (text[pos] == ')')
                    {
                        pos++;
                        break;
                    }

                    if (Keyword("OR"))
                    {
                        or = true;
                        continue;
                    }

                    if (Keyword("AND"))
                    {
                        continue;
                    }

                    parts.Add((FieldValue(field), or));
                }

                return or ? d => parts.Exists(p => p.Test(d)) : d => parts.TrueForAll(p => p.Test(d));
            }

            if (text[pos] is '[' or '{')
            {
                return Range(field);
            }

            var value = Value();
            return d => Matches(d, field, value);
        }

        private Func<ICkanDocument, bool> Range(string field)
        {
            var inclusiveLow = text[pos++] == '[';
            var close = text.IndexOfAny([']', '}'], pos);
            if (close < 0)
            {
                throw CkanException.Search($"Cannot parse '{text}': the range after '{field}:' is not closed");
            }

            var inclusiveHigh = text[close] == ']';
            var bounds = text[pos..close].Split(" TO ", StringSplitOptions.TrimEntries);
            pos = close + 1;
            if (bounds.Length != 2)
            {
                throw CkanException.Search($"Cannot parse '{text}': a range is [low TO high]");
            }

            if (field is "metadata_modified" or "metadata_created")
            {
                var low = DateBound(bounds[0]);
                var high = DateBound(bounds[1]);
                return d => d.Instant(field) is { } t
                    && (low is null || (inclusiveLow ? t >= low : t > low))
                    && (high is null || (inclusiveHigh ? t <= high : t < high));
            }

            var lo = bounds[0] == "*" ? null : Unquote(bounds[0]);
            var hi = bounds[1] == "*" ? null : Unquote(bounds[1]);
            return d => Values(d, field).Any(v =>
                (lo is null || (inclusiveLow ? string.CompareOrdinal(v, lo) >= 0 : string.CompareOrdinal(v, lo) > 0))
                && (hi is null || (inclusiveHigh ? string.CompareOrdinal(v, hi) <= 0 : string.CompareOrdinal(v, hi) < 0)));
        }

        /// <summary>An ISO date or date-time (UTC unless an offset is given), <c>*</c>, or NOW with ±N units and /DAY rounding.</summary>
        private DateTimeOffset? DateBound(string bound)
        {
            if (bound == "*")
            {
                return null;
            }

            var match = DateMath().Match(bound);
            if (match.Success)
            {
                var t = now;
                foreach (Capture step in match.Groups["step"].Captures)
                {
                    var m = StepPattern().Match(step.Value);
                    var n = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) * (m.Groups[1].Value == "-" ? -1 : 1);
                    t = m.Groups[3].Value.TrimEnd('S') switch
                    {
                        "YEAR" => t.AddYears(n),
                        "MONTH" => t.AddMonths(n),
                        "DAY" => t.AddDays(n),
                        "HOUR" => t.AddHours(n),
                        "MINUTE" => t.AddMinutes(n),
                        _ => t.AddSeconds(n),
                    };
                }

                return match.Groups["round"].Success ? new DateTimeOffset(t.UtcDateTime.Date, TimeSpan.Zero) : t;
            }

            if (DateTimeOffset.TryParse(bound, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                return parsed;
            }

            throw CkanException.Search($"Invalid Date String:'{bound}'");
        }

        private static bool Matches(ICkanDocument d, string field, (string Text, Regex? Pattern) value)
        {
            if (field is "metadata_modified" or "metadata_created")
            {
                return value.Text == "*" ? d.Instant(field) is not null : d.Instant(field) is { } t
                    && DateTimeOffset.TryParse(value.Text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && t == at;
            }

            if (field == "text")
            {
                return d.TextContains(value.Text.Trim('*'));
            }

            var values = Values(d, field);
            var ignoreCase = field == "res_format";
            return value.Text == "*" ? values.Count > 0
                : value.Pattern is { } p ? values.Any(p.IsMatch)
                : values.Any(v => string.Equals(v, value.Text, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));
        }

        private static IReadOnlyList<string> Values(ICkanDocument d, string field) =>
            d.Values(field) ?? throw CkanException.Search($"undefined field {field}");

        /// <summary>A quoted phrase or a bare term (backslash escapes); a term with * or ? is a wildcard pattern.</summary>
        private (string Text, Regex? Pattern) Value()
        {
            SkipSpace();
            if (!AtEnd && text[pos] == '"')
            {
                var end = pos + 1;
                var sb = new StringBuilder();
                while (end < text.Length && text[end] != '"')
                {
                    sb.Append(text[end] == '\\' && end + 1 < text.Length ? text[++end] : text[end]);
                    end++;
                }

                if (end >= text.Length)
                {
                    throw CkanException.Search($"Cannot parse '{text}': a quote is not closed");
                }

                pos = end + 1;
                return (sb.ToString(), null);
            }

            var raw = Word(stopAtColon: false);
            if (raw.Length == 0)
            {
                throw CkanException.Search($"Cannot parse '{text}': a value is missing at position {pos}");
            }

            var unescaped = Regex.Unescape(raw.Replace("\\*", "\u0001", StringComparison.Ordinal).Replace("\\?", "\u0002", StringComparison.Ordinal));
            if (raw == "*" || (!unescaped.Contains('*', StringComparison.Ordinal) && !unescaped.Contains('?', StringComparison.Ordinal)))
            {
                return (raw == "*" ? "*" : unescaped.Replace('\u0001', '*').Replace('\u0002', '?'), null);
            }

            var pattern = "^" + Regex.Escape(unescaped).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal)
                .Replace("\u0001", "\\*", StringComparison.Ordinal).Replace("\u0002", "\\?", StringComparison.Ordinal) + "$";
            return (unescaped, new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50)));
        }

        private string Word(bool stopAtColon)
        {
            var start = pos;
            while (pos < text.Length && !char.IsWhiteSpace(text[pos]) && text[pos] is not ('(' or ')') && !(stopAtColon && text[pos] == ':'))
            {
                pos += text[pos] == '\\' && pos + 1 < text.Length ? 2 : 1;
            }

            return text[start..pos];
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (AtEnd || text[pos] != c)
            {
                throw CkanException.Search($"Cannot parse '{text}': '{c}' expected at position {pos}");
            }

            pos++;
        }

        private static string Unquote(string s) => s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1] : s;
    }

    [GeneratedRegex(@"^NOW(?<step>[+-]\d+(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)S?)*(?<round>/DAY)?$")]
    private static partial Regex DateMath();

    [GeneratedRegex(@"^([+-])(\d+)(\w+)$")]
    private static partial Regex StepPattern();
}
