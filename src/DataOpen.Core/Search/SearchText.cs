using System.Globalization;
using System.Text;

namespace DataOpen.Core.Search;

/// <summary>
/// Chinese-aware tokenisation for catalog search without a segmentation dictionary: runs of Han
/// characters become overlapping bigrams plus unigrams (the CJK bigram approach of Lucene's
/// CJKAnalyzer), other letters and digits become lower-cased words. Documents are indexed as
/// PostgreSQL <c>to_tsvector('simple', …)</c> over this token text, queries become a tsquery that
/// ANDs the query's bigrams, so 空气 finds 空气质量小时数据 and 企业 finds every enterprise dataset.
/// </summary>
public static class SearchText
{
    /// <summary>Token text for a document field: space-separated tokens suitable for to_tsvector('simple').</summary>
    public static string ForDocument(params string?[] parts)
    {
        var sb = new StringBuilder();
        foreach (var part in parts)
        {
            if (string.IsNullOrWhiteSpace(part))
            {
                continue;
            }

            foreach (var run in Runs(part))
            {
                if (run.IsHan)
                {
                    for (var i = 0; i < run.Text.Length; i++)
                    {
                        Append(sb, run.Text.Substring(i, 1));
                        if (i + 1 < run.Text.Length)
                        {
                            Append(sb, run.Text.Substring(i, 2));
                        }
                    }
                }
                else
                {
                    Append(sb, run.Text);
                }
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// A tsquery text for a user query, or null when the query has no searchable characters.
    /// Han runs of two or more characters require all their bigrams; one character requires the
    /// unigram; words match as prefixes (air → airport, air-quality).
    /// </summary>
    public static string? ForQuery(string? query)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return null;
        }

        var terms = new List<string>();
        foreach (var run in Runs(query))
        {
            if (run.IsHan)
            {
                if (run.Text.Length == 1)
                {
                    terms.Add(Quote(run.Text));
                }
                else
                {
                    for (var i = 0; i + 1 < run.Text.Length; i++)
                    {
                        terms.Add(Quote(run.Text.Substring(i, 2)));
                    }
                }
            }
            else
            {
                terms.Add(Quote(run.Text) + ":*");
            }
        }

        return terms.Count == 0 ? null : string.Join(" & ", terms.Distinct(StringComparer.Ordinal).Take(64));
    }

    private static void Append(StringBuilder sb, string token)
    {
        if (sb.Length > 0)
        {
            sb.Append(' ');
        }

        sb.Append(token);
    }

    // Tokens hold only letters and digits, so quoting needs no escaping; it keeps tsquery from
    // reading a token such as "and" or "not" as syntax.
    private static string Quote(string token) => "'" + token + "'";

    private static IEnumerable<(string Text, bool IsHan)> Runs(string text)
    {
        var sb = new StringBuilder();
        bool? han = null;
        foreach (var rune in text.EnumerateRunes())
        {
            var isHan = IsHanRune(rune);
            var isWord = isHan || Rune.IsLetterOrDigit(rune);
            if (!isWord || (han is bool h && h != isHan))
            {
                if (sb.Length > 0)
                {
                    yield return (Normalize(sb.ToString(), han == true), han == true);
                    sb.Clear();
                }

                han = null;
            }

            if (isWord)
            {
                sb.Append(rune.ToString());
                han = isHan;
            }
        }

        if (sb.Length > 0)
        {
            yield return (Normalize(sb.ToString(), han == true), han == true);
        }
    }

    private static string Normalize(string s, bool isHan) =>
        isHan ? s : s.Normalize(NormalizationForm.FormKC).ToLowerInvariant();

    private static bool IsHanRune(Rune r)
    {
        var v = r.Value;
        return (v >= 0x4E00 && v <= 0x9FFF) || (v >= 0x3400 && v <= 0x4DBF) || (v >= 0x20000 && v <= 0x2EBEF) ||
               (v >= 0xF900 && v <= 0xFAFF) || (v >= 0x30000 && v <= 0x3134F) ||
               Rune.GetUnicodeCategory(r) == UnicodeCategory.OtherLetter && v >= 0x2E80 && v <= 0x2FDF;
    }
}
