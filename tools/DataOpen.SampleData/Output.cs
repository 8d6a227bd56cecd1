using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Serialization.Metadata;
using DataOpen.Core.Catalog;

namespace DataOpen.SampleData;

/// <summary>Writes generated files under one root and remembers which ones it wrote.</summary>
public sealed class Output(string root)
{
    public static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Catalog JSON must not depend on the OS: fix the newline, keep Chinese readable.
    public static readonly JsonSerializerOptions Json = new(DatasetDefinition.JsonOptions)
    {
        NewLine = "\n",
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { DropComputedSourceFormat } },
    };

    // SourceSpec.EffectiveFormat is derived from the file name; dataset.json must not carry it
    // (the schema forbids unknown source properties).
    private static void DropComputedSourceFormat(JsonTypeInfo info)
    {
        if (info.Type == typeof(SourceSpec))
        {
            var derived = info.Properties.Where(p => p.Name == "effectiveFormat").ToList();
            derived.ForEach(p => info.Properties.Remove(p));
        }
    }

    public string Root { get; } = root;

    public SortedSet<string> Written { get; } = new(StringComparer.Ordinal);

    public void Write(string relativePath, byte[] bytes)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        if (!Written.Add(relativePath.Replace('\\', '/')))
        {
            throw new InvalidOperationException($"File {relativePath} was generated twice.");
        }
    }

    public void WriteJson<T>(string relativePath, T value) =>
        Write(relativePath, Utf8NoBom.GetBytes(JsonSerializer.Serialize(value, Json) + "\n"));

    public static byte[] Encode(string text, string encoding) => encoding switch
    {
        "utf-8" => Utf8NoBom.GetBytes(text),
        "utf-8-bom" => [.. Encoding.UTF8.Preamble, .. Utf8NoBom.GetBytes(text)],
        // Exception fallback: a character outside GBK must stop the run, not become '?'.
        "gbk" => Encoding.GetEncoding("GBK", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback).GetBytes(text),
        _ => throw new ArgumentException($"Unknown encoding '{encoding}'.", nameof(encoding)),
    };
}

/// <summary>RFC 4180 CSV text with LF line ends, built in memory.</summary>
public sealed class CsvBuilder
{
    private readonly StringBuilder _text = new();

    public CsvBuilder(IReadOnlyList<string> header)
    {
        Header = header;
        AppendRow(header);
    }

    public IReadOnlyList<string> Header { get; }

    public int Rows { get; private set; }

    public void Row(params string?[] cells)
    {
        if (cells.Length != Header.Count)
        {
            throw new ArgumentException($"Row {Rows + 1} has {cells.Length} cells, header has {Header.Count}.", nameof(cells));
        }
        AppendRow(cells);
        Rows++;
    }

    private void AppendRow(IReadOnlyList<string?> cells)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0)
            {
                _text.Append(',');
            }
            var cell = cells[i] ?? "";
            if (cell.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                _text.Append('"').Append(cell.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                _text.Append(cell);
            }
        }
        _text.Append('\n');
    }

    public override string ToString() => _text.ToString();
}

/// <summary>Invariant-culture formatting shortcuts for generated cells.</summary>
public static class Fmt
{
    public static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    public static string D(decimal v) => v.ToString(CultureInfo.InvariantCulture);

    public static string F(double v, int decimals) => v.ToString("F" + I(decimals), CultureInfo.InvariantCulture);

    public static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static long Round(double v) => (long)Math.Round(v, MidpointRounding.AwayFromZero);

    /// <summary>A decimal with the given number of places, rounded half away from zero.</summary>
    public static decimal Dec(double v, int decimals) => Math.Round((decimal)v, decimals, MidpointRounding.AwayFromZero);
}

/// <summary>
/// Rewrites a ZIP (an XLSX from MiniExcel) as a stored, timestamp-free archive. ZipArchive stamps entries
/// with the current time and the host OS and compresses with whatever zlib the runtime ships, so its bytes
/// differ between runs and machines; this writer emits the same bytes everywhere.
/// </summary>
public static class DeterministicZip
{
    // 2026-01-01 00:00:00 in MS-DOS date/time format.
    private const ushort DosTime = 0;
    private const ushort DosDate = ((2026 - 1980) << 9) | (1 << 5) | 1;

    public static byte[] Repack(byte[] zip)
    {
        var entries = new List<(string Name, byte[] Data)>();
        using (var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
        {
            foreach (var entry in archive.Entries)
            {
                using var s = entry.Open();
                using var m = new MemoryStream();
                s.CopyTo(m);
                entries.Add((entry.FullName, m.ToArray()));
            }
        }
        RenumberRelationshipIds(entries);

        using var output = new MemoryStream();
        using var w = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true);
        var offsets = new List<uint>();
        foreach (var (name, data) in entries)
        {
            offsets.Add((uint)output.Position);
            var nameBytes = Encoding.UTF8.GetBytes(name);
            w.Write(0x04034b50u);
            w.Write((ushort)20);           // version needed
            w.Write((ushort)0x0800);       // UTF-8 names
            w.Write((ushort)0);            // stored
            w.Write(DosTime);
            w.Write(DosDate);
            w.Write(Crc32(data));
            w.Write((uint)data.Length);
            w.Write((uint)data.Length);
            w.Write((ushort)nameBytes.Length);
            w.Write((ushort)0);
            w.Write(nameBytes);
            w.Write(data);
        }
        var centralStart = (uint)output.Position;
        for (var i = 0; i < entries.Count; i++)
        {
            var (name, data) = entries[i];
            var nameBytes = Encoding.UTF8.GetBytes(name);
            w.Write(0x02014b50u);
            w.Write((ushort)20);           // version made by: MS-DOS, 2.0
            w.Write((ushort)20);
            w.Write((ushort)0x0800);
            w.Write((ushort)0);
            w.Write(DosTime);
            w.Write(DosDate);
            w.Write(Crc32(data));
            w.Write((uint)data.Length);
            w.Write((uint)data.Length);
            w.Write((ushort)nameBytes.Length);
            w.Write((ushort)0);            // extra
            w.Write((ushort)0);            // comment
            w.Write((ushort)0);            // disk
            w.Write((ushort)0);            // internal attributes
            w.Write(0u);                   // external attributes
            w.Write(offsets[i]);
            w.Write(nameBytes);
        }
        var centralSize = (uint)output.Position - centralStart;
        w.Write(0x06054b50u);
        w.Write((ushort)0);
        w.Write((ushort)0);
        w.Write((ushort)entries.Count);
        w.Write((ushort)entries.Count);
        w.Write(centralSize);
        w.Write(centralStart);
        w.Write((ushort)0);
        w.Flush();
        return output.ToArray();
    }

    // MiniExcel names relationships "R" + a new GUID on every run; number them in order of first appearance instead.
    private static readonly Regex GuidRelationshipId = new("R[0-9a-f]{32}", RegexOptions.CultureInvariant);

    private static void RenumberRelationshipIds(List<(string Name, byte[] Data)> entries)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var (name, data) = entries[i];
            if (!name.EndsWith(".xml", StringComparison.Ordinal) && !name.EndsWith(".rels", StringComparison.Ordinal))
            {
                continue;
            }
            var text = Encoding.UTF8.GetString(data);
            var renamed = GuidRelationshipId.Replace(text, m =>
            {
                if (!ids.TryGetValue(m.Value, out var id))
                {
                    id = "R" + (ids.Count + 1).ToString("D32", CultureInfo.InvariantCulture);
                    ids.Add(m.Value, id);
                }
                return id;
            });
            if (!string.Equals(renamed, text, StringComparison.Ordinal))
            {
                // Keep the byte order mark MiniExcel writes, if any.
                var bom = data.AsSpan().StartsWith(Encoding.UTF8.Preamble);
                entries[i] = (name, bom ? [.. Encoding.UTF8.Preamble, .. Output.Utf8NoBom.GetBytes(renamed.TrimStart('\uFEFF'))] : Output.Utf8NoBom.GetBytes(renamed));
            }
        }
    }

    private static readonly uint[] CrcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
            table[n] = c;
        }
        return table;
    }

    public static uint Crc32(byte[] data)
    {
        var c = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        }
        return c ^ 0xFFFFFFFFu;
    }
}
