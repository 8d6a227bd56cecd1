using System.Text;

namespace DataOpen.Core.Ingest;

/// <summary>
/// The encoding of a text source. <see cref="Encoding"/> decodes strictly (invalid bytes throw),
/// so a file whose first bytes looked like UTF-8 but that turns out not to be is reported, never garbled.
/// </summary>
public sealed record SourceEncoding(string Name, Encoding Encoding, int PreambleLength)
{
    public const string Utf8 = "utf-8";
    public const string Utf8Bom = "utf-8-bom";
    public const string Gbk = "gbk";
    public const string Gb18030 = "gb18030";

    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    static SourceEncoding() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>
    /// GBK files are decoded with the GB18030 decoder: GB18030 is a superset, and the bounded
    /// prefix that led to "gbk" cannot prove that no 4-byte sequence follows later in the file.
    /// </summary>
    private static Encoding StrictGb18030 => Encoding.GetEncoding(54936, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);

    /// <summary>Detects the encoding from the first <paramref name="probeBytes"/> bytes of a file.</summary>
    public static SourceEncoding Detect(string path, int probeBytes = 64 * 1024)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
        return Detect(stream, probeBytes);
    }

    /// <summary>
    /// Detects the encoding from at most <paramref name="probeBytes"/> bytes read from the current position
    /// (the position is left after the bytes read). Pure ASCII is utf-8; GB18030 is reported only when
    /// 4-byte GB18030 sequences occur, otherwise double-byte Chinese text is gbk.
    /// </summary>
    public static SourceEncoding Detect(Stream stream, int probeBytes = 64 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(probeBytes, 16);
        var buffer = new byte[probeBytes];
        int length = 0;
        int read;
        while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        bool atEnd = length < buffer.Length;
        return Detect(buffer.AsSpan(0, length), atEnd);
    }

    /// <summary>Detects the encoding of <paramref name="prefix"/>; <paramref name="isWholeFile"/> says whether a cut-off multi-byte sequence at its end is an error.</summary>
    public static SourceEncoding Detect(ReadOnlySpan<byte> prefix, bool isWholeFile)
    {
        if (prefix.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return new SourceEncoding(Utf8Bom, StrictUtf8, 3);
        }

        int firstNonAscii = prefix.IndexOfAnyExceptInRange((byte)0, (byte)0x7F);
        if (firstNonAscii < 0 || IsValidUtf8(prefix[firstNonAscii..], isWholeFile))
        {
            return new SourceEncoding(Utf8, StrictUtf8, 0);
        }

        return ScanGb(prefix[firstNonAscii..], isWholeFile) switch
        {
            GbScan.Gb18030 => new SourceEncoding(Gb18030, StrictGb18030, 0),
            GbScan.Gbk => new SourceEncoding(Gbk, StrictGb18030, 0),
            _ => throw new IngestException(
                IngestProblem.UnknownEncoding,
                $"The file is neither UTF-8 nor GBK/GB18030{DescribeGuess(prefix)}. Save it as UTF-8."),
        };
    }

    /// <summary>The encoding named in dataset.json (<c>source.encoding</c>); <c>auto</c> or null detects it.</summary>
    public static SourceEncoding ForName(string? declared, Func<SourceEncoding> detect)
    {
        return declared?.ToLowerInvariant() switch
        {
            null or "" or "auto" => detect(),
            "utf-8" or "utf8" => new SourceEncoding(Utf8, StrictUtf8, 0),
            "gbk" or "cp936" => new SourceEncoding(Gbk, StrictGb18030, 0),
            "gb18030" => new SourceEncoding(Gb18030, StrictGb18030, 0),
            _ => throw new IngestException(IngestProblem.UnknownEncoding, $"Unsupported source.encoding \"{declared}\"; use auto, utf-8, gbk or gb18030."),
        };
    }

    private static bool IsValidUtf8(ReadOnlySpan<byte> bytes, bool isWholeFile)
    {
        var status = System.Text.Unicode.Utf8.ToUtf16(bytes, new char[Math.Min(bytes.Length, 4096)], out int consumed, out _, replaceInvalidSequences: false, isFinalBlock: isWholeFile);
        while (status == System.Buffers.OperationStatus.DestinationTooSmall)
        {
            bytes = bytes[consumed..];
            status = System.Text.Unicode.Utf8.ToUtf16(bytes, new char[Math.Min(bytes.Length, 4096)], out consumed, out _, replaceInvalidSequences: false, isFinalBlock: isWholeFile);
        }

        // NeedMoreData: the prefix ends inside a multi-byte sequence, which is fine when more of the file follows.
        return status == System.Buffers.OperationStatus.Done || (status == System.Buffers.OperationStatus.NeedMoreData && !isWholeFile);
    }

    private enum GbScan
    {
        Invalid,
        Gbk,
        Gb18030,
    }

    private static GbScan ScanGb(ReadOnlySpan<byte> bytes, bool isWholeFile)
    {
        bool fourByte = false;
        int i = 0;
        while (i < bytes.Length)
        {
            byte b = bytes[i];
            if (b < 0x80)
            {
                i++;
                continue;
            }

            if (b is < 0x81 or > 0xFE)
            {
                return GbScan.Invalid;
            }

            if (i + 1 >= bytes.Length)
            {
                return isWholeFile ? GbScan.Invalid : Result();
            }

            byte second = bytes[i + 1];
            if (second is >= 0x30 and <= 0x39)
            {
                if (i + 3 >= bytes.Length)
                {
                    return isWholeFile ? GbScan.Invalid : Result();
                }

                if (bytes[i + 2] is < 0x81 or > 0xFE || bytes[i + 3] is < 0x30 or > 0x39)
                {
                    return GbScan.Invalid;
                }

                fourByte = true;
                i += 4;
            }
            else if (second is >= 0x40 and <= 0xFE && second != 0x7F)
            {
                i += 2;
            }
            else
            {
                return GbScan.Invalid;
            }
        }

        return Result();

        GbScan Result() => fourByte ? GbScan.Gb18030 : GbScan.Gbk;
    }

    private static string DescribeGuess(ReadOnlySpan<byte> prefix)
    {
        // Only to make the error message useful: name what the bytes look like (e.g. Big5, Shift_JIS, windows-1252).
        var guess = UtfUnknown.CharsetDetector.DetectFromBytes(prefix.ToArray()).Detected;
        return guess?.EncodingName is { Length: > 0 } name ? $" (it looks like {name})" : string.Empty;
    }
}
