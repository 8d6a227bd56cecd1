using System.Text;

namespace DataOpen.Disclosure.Tables;

/// <summary>Confidential record-level data: named columns of text values, as read from a CSV file.</summary>
public sealed class Microdata
{
    private readonly Dictionary<string, int> _index;

    public Microdata(string name, IReadOnlyList<string> columns, IReadOnlyList<string[]> rows)
    {
        Name = name;
        Columns = columns;
        Rows = rows;
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            if (!_index.TryAdd(columns[i], i))
            {
                throw new DisclosureException($"microdata '{name}': column '{columns[i]}' appears twice");
            }
        }
        for (var r = 0; r < rows.Count; r++)
        {
            if (rows[r].Length != columns.Count)
            {
                throw new DisclosureException($"microdata '{name}': row {r + 1} has {rows[r].Length} values, expected {columns.Count}");
            }
        }
    }

    public string Name { get; }

    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<string[]> Rows { get; }

    public int ColumnIndex(string column, string usedBy) =>
        _index.TryGetValue(column, out var i)
            ? i
            : throw new DisclosureException($"{usedBy}: microdata '{Name}' has no column '{column}' (columns: {string.Join(", ", Columns)})");

    public static Microdata ReadCsv(string name, string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        return ParseCsv(name, reader);
    }

    /// <summary>RFC 4180 CSV with a header row; quoted fields may hold commas, quotes and line breaks.</summary>
    public static Microdata ParseCsv(string name, TextReader reader)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        var line = 1;
        var any = false;
        int c;
        while ((c = reader.Read()) != -1)
        {
            var ch = (char)c;
            any = true;
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    if (ch == '\n')
                    {
                        line++;
                    }
                    field.Append(ch);
                }
                continue;
            }
            switch (ch)
            {
                case '"' when field.Length == 0:
                    inQuotes = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    records.Add([.. fields]);
                    fields.Clear();
                    line++;
                    any = false;
                    break;
                default:
                    field.Append(ch);
                    break;
            }
        }
        if (inQuotes)
        {
            throw new DisclosureException($"microdata '{name}': unterminated quoted field at line {line}");
        }
        if (any)
        {
            fields.Add(field.ToString());
            records.Add([.. fields]);
        }
        if (records.Count == 0)
        {
            throw new DisclosureException($"microdata '{name}': no header row");
        }
        return new Microdata(name, records[0], records.GetRange(1, records.Count - 1));
    }

    public static string ToCsv(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string>> rows)
    {
        var sb = new StringBuilder();
        AppendCsvLine(sb, columns);
        foreach (var row in rows)
        {
            AppendCsvLine(sb, row);
        }
        return sb.ToString();
    }

    private static void AppendCsvLine(StringBuilder sb, IReadOnlyList<string> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            var v = values[i];
            if (v.AsSpan().IndexOfAny(",\"\n\r") >= 0)
            {
                sb.Append('"').Append(v.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                sb.Append(v);
            }
        }
        sb.Append('\n');
    }
}
