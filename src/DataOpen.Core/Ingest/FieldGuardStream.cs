using System.Buffers;
using System.Text;

namespace DataOpen.Core.Ingest;

/// <summary>
/// A read-only pass-through stream that checks a CSV or JSON Lines file as it streams by: it measures
/// every field and row in bytes and validates the bytes against the file's encoding. It reads
/// <see cref="IngestOptions.MaxFieldBytes"/> (plus a margin) ahead of what it hands to the parser, so a
/// field over the limit (typically an unclosed quote swallowing the rest of the file) is rejected before
/// the parser has buffered more than a few kilobytes of it: memory stays bounded by the limit, not by the field.
/// </summary>
/// <remarks>
/// The state machine works on bytes, which is sound for UTF-8, GBK and GB18030: the delimiter, quote,
/// backslash and line breaks are ASCII bytes that never occur inside a multi-byte character of these
/// encodings (their trail bytes are 0x30-0x39 or 0x40-0xFE). CSV quoting is tracked the way Sep reads
/// it: every quote toggles the quoted state, so an escaped quote ("") toggles twice.
/// Because it reads ahead, problems it finds are reported up to one look-ahead before the parser reaches
/// them; the row numbers it reports are exact.
/// </remarks>
internal sealed class FieldGuardStream : Stream
{
    /// <summary>Most bytes handed out per read; the look-ahead exceeds the field limit by twice this.</summary>
    private const int MaxHandOut = 64 * 1024;

    private readonly Stream inner;
    private readonly bool json;
    private readonly byte delimiter;
    private readonly long maxField;
    private readonly long maxRow;
    private readonly EncodingCheck encodingCheck;
    private readonly SearchValues<byte> plainStops;
    private readonly SearchValues<byte> quotedStops;
    private readonly byte[] ring;

    private long filled;
    private long consumed;
    private bool endOfInput;

    private bool inQuotes;
    private bool escapePending;
    private long fieldBytes;
    private long rowBytes;
    private long quoteOpenedInRecord;

    private readonly byte[] carry = new byte[4];
    private int carryLength;

    private FieldGuardStream(Stream inner, bool json, byte delimiter, EncodingCheck encodingCheck, IngestOptions options)
    {
        this.inner = inner;
        this.json = json;
        this.delimiter = delimiter;
        this.encodingCheck = encodingCheck;
        maxField = options.MaxFieldBytes;
        maxRow = options.MaxRowBytes;
        plainStops = json ? SearchValues.Create("\"\n"u8) : SearchValues.Create([delimiter, (byte)'"', (byte)'\n', (byte)'\r']);
        quotedStops = json ? SearchValues.Create("\"\\\n"u8) : SearchValues.Create("\""u8);
        long lookAhead = options.MaxFieldBytes + (2L * MaxHandOut);
        if (inner.CanSeek)
        {
            // Small files need no more than their own size.
            lookAhead = Math.Min(lookAhead, Math.Max(1, inner.Length - inner.Position + 1));
        }

        ring = new byte[(int)Math.Min(lookAhead, Array.MaxLength)];
    }

    /// <summary>How the bytes are validated against the file's encoding.</summary>
    public enum EncodingCheck
    {
        Utf8,

        /// <summary>GBK and GB18030 byte structure (1, 2 or 4 bytes).</summary>
        Gb,
    }

    /// <summary>The record the scan has reached, 1-based (line breaks inside quoted fields do not count).</summary>
    public long Record { get; private set; } = 1;

    public static FieldGuardStream ForCsv(Stream inner, char delimiter, SourceEncoding encoding, IngestOptions options)
    {
        if (delimiter is '"' or '\r' or '\n' || delimiter > 0x7F)
        {
            throw new IngestException(IngestProblem.InvalidDelimiter, $"The delimiter must be a single ASCII character other than a quote or line break, not \"{delimiter}\".");
        }

        return new FieldGuardStream(inner, json: false, (byte)delimiter, CheckFor(encoding), options);
    }

    public static FieldGuardStream ForJsonLines(Stream inner, SourceEncoding encoding, IngestOptions options) =>
        new(inner, json: true, 0, CheckFor(encoding), options);

    private static EncodingCheck CheckFor(SourceEncoding encoding) =>
        encoding.Name is SourceEncoding.Gbk or SourceEncoding.Gb18030 ? EncodingCheck.Gb : EncodingCheck.Utf8;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        Fill();
        long available = filled - consumed;
        if (available == 0 || buffer.IsEmpty)
        {
            return 0;
        }

        int start = (int)(consumed % ring.Length);
        int count = (int)Math.Min(Math.Min(available, buffer.Length), Math.Min(ring.Length - start, MaxHandOut));
        ring.AsSpan(start, count).CopyTo(buffer);
        consumed += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Reads and checks ahead until the ring is full or the input ends.</summary>
    private void Fill()
    {
        while (!endOfInput && filled - consumed < ring.Length)
        {
            int start = (int)(filled % ring.Length);
            // Reads of at most MaxHandOut keep each scanned chunk below the field limit, which the fast scan relies on.
            int space = (int)Math.Min(Math.Min(ring.Length - start, ring.Length - (filled - consumed)), MaxHandOut);
            int n = inner.Read(ring, start, space);
            if (n == 0)
            {
                endOfInput = true;
                if (carryLength > 0)
                {
                    throw InvalidEncoding("The file ends in the middle of a character");
                }

                if (inQuotes && !json)
                {
                    throw new IngestException(IngestProblem.UnclosedQuote, "A quoted field is never closed: the file ends inside quotes.", quoteOpenedInRecord);
                }

                return;
            }

            var chunk = ring.AsSpan(start, n);
            int invalid = FindInvalidBytes(chunk);
            if (invalid >= 0)
            {
                ScanAny(chunk[..invalid]);
                throw InvalidEncoding("The file has bytes that are not valid in its encoding");
            }

            ScanAny(chunk);
            filled += n;
        }
    }

    private IngestException InvalidEncoding(string what) => new(
        IngestProblem.InvalidEncoding,
        encodingCheck == EncodingCheck.Utf8
            ? $"{what}: it is not valid UTF-8 (the encoding detected from its beginning). Declare source.encoding (gbk or gb18030) in dataset.json or re-save the file as UTF-8."
            : $"{what}: it is not valid GBK/GB18030. Declare source.encoding in dataset.json or re-save the file as UTF-8.",
        Record);

    /// <summary>
    /// Index in <paramref name="chunk"/> of the first byte that cannot be part of a valid character, or -1.
    /// A character cut by the end of the chunk is kept in <see cref="carry"/> and completed from the next chunk.
    /// </summary>
    private int FindInvalidBytes(ReadOnlySpan<byte> chunk)
    {
        int offset = 0;
        if (carryLength > 0)
        {
            // Complete the character cut at the end of the previous chunk.
            while (carryLength < carry.Length && offset < chunk.Length)
            {
                carry[carryLength++] = chunk[offset++];
                var status = CheckCharacter(carry.AsSpan(0, carryLength), out int length);
                if (status == OperationStatus.Done)
                {
                    offset -= carryLength - length;
                    carryLength = 0;
                    break;
                }

                if (status == OperationStatus.InvalidData)
                {
                    return 0;
                }
            }

            if (carryLength > 0)
            {
                return carryLength == carry.Length ? 0 : -1;
            }
        }

        var rest = chunk[offset..];
        int bad = FirstInvalid(rest, out int tail);
        if (bad >= 0)
        {
            return offset + bad;
        }

        rest[^tail..].CopyTo(carry);
        carryLength = tail;
        return -1;
    }

    /// <summary>
    /// Index of the first invalid byte or -1; <paramref name="tail"/> is the length of a character cut off
    /// by the end of <paramref name="bytes"/>.
    /// </summary>
    private int FirstInvalid(ReadOnlySpan<byte> bytes, out int tail)
    {
        tail = 0;
        if (encodingCheck == EncodingCheck.Utf8)
        {
            // UTF-8 is self-synchronising: the cut character can be found from the end, and the rest checked vectorised.
            tail = IncompleteUtf8Tail(bytes);
            bytes = bytes[..^tail];
            if (System.Text.Unicode.Utf8.IsValid(bytes))
            {
                return -1;
            }
        }

        int i = 0;
        while (i < bytes.Length)
        {
            int nonAscii = bytes[i..].IndexOfAnyExceptInRange((byte)0, (byte)0x7F);
            if (nonAscii < 0)
            {
                return -1;
            }

            i += nonAscii;
            var status = CheckCharacter(bytes[i..], out int length);
            if (status == OperationStatus.NeedMoreData && encodingCheck == EncodingCheck.Gb)
            {
                // GB encodings are not self-synchronising: only a forward scan finds where the last character starts.
                tail = bytes.Length - i;
                return -1;
            }

            if (status != OperationStatus.Done)
            {
                return i;
            }

            i += length;
        }

        return -1;
    }

    private static int IncompleteUtf8Tail(ReadOnlySpan<byte> bytes)
    {
        for (int back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            byte b = bytes[^back];
            if ((b & 0xC0) != 0x80)
            {
                // A lead (or ASCII) byte: the character is cut when it needs more bytes than remain.
                int needed = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
                return needed > back ? back : 0;
            }
        }

        return 0;
    }

    /// <summary>Checks the one character at the start of <paramref name="bytes"/>.</summary>
    private OperationStatus CheckCharacter(ReadOnlySpan<byte> bytes, out int length)
    {
        if (encodingCheck == EncodingCheck.Utf8)
        {
            return Rune.DecodeFromUtf8(bytes, out _, out length);
        }

        length = 0;
        byte b = bytes[0];
        if (b < 0x80)
        {
            length = 1;
            return OperationStatus.Done;
        }

        if (b is < 0x81 or > 0xFE)
        {
            return OperationStatus.InvalidData;
        }

        if (bytes.Length < 2)
        {
            return OperationStatus.NeedMoreData;
        }

        byte second = bytes[1];
        if (second is >= 0x40 and <= 0xFE && second != 0x7F)
        {
            length = 2;
            return OperationStatus.Done;
        }

        if (second is < 0x30 or > 0x39)
        {
            return OperationStatus.InvalidData;
        }

        if (bytes.Length < 3)
        {
            return OperationStatus.NeedMoreData;
        }

        if (bytes[2] is < 0x81 or > 0xFE)
        {
            return OperationStatus.InvalidData;
        }

        if (bytes.Length < 4)
        {
            return OperationStatus.NeedMoreData;
        }

        if (bytes[3] is < 0x30 or > 0x39)
        {
            return OperationStatus.InvalidData;
        }

        length = 4;
        return OperationStatus.Done;
    }

    private void ScanAny(ReadOnlySpan<byte> bytes)
    {
        if (json)
        {
            Scan(bytes);
        }
        else
        {
            ScanCsv(bytes);
        }
    }

    /// <summary>
    /// The CSV scan, in a few vectorised passes per quote-delimited region rather than a step per field:
    /// within a region shorter than the limits only the runs at its two ends can continue a field or row
    /// across regions, so only they need measuring; line breaks are counted, not visited.
    /// </summary>
    private void ScanCsv(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (inQuotes)
            {
                int close = bytes.IndexOf((byte)'"');
                int run = close < 0 ? bytes.Length : close + 1;
                Add(run);
                if (close < 0)
                {
                    return;
                }

                inQuotes = false;
                bytes = bytes[run..];
                continue;
            }

            int quote = bytes.IndexOf((byte)'"');
            var plain = quote < 0 ? bytes : bytes[..quote];
            if (plain.Length > Math.Min(maxField, maxRow))
            {
                Scan(plain);
            }
            else
            {
                ScanPlain(plain);
            }

            if (quote < 0)
            {
                return;
            }

            inQuotes = true;
            quoteOpenedInRecord = Record;
            Add(1);
            bytes = bytes[(quote + 1)..];
        }
    }

    /// <summary>Unquoted bytes without quotes, shorter than both limits.</summary>
    private void ScanPlain(ReadOnlySpan<byte> plain)
    {
        int firstStop = plain.IndexOfAny(plainStops);
        if (firstStop < 0)
        {
            Add(plain.Length);
            return;
        }

        fieldBytes += firstStop;
        int firstLine = plain.IndexOf((byte)'\n');
        if (firstLine < 0)
        {
            rowBytes += plain.Length;
            CheckLimits();
        }
        else
        {
            rowBytes += firstLine;
            CheckLimits();
            Record += plain.Count((byte)'\n');
            rowBytes = plain.Length - plain.LastIndexOf((byte)'\n') - 1;
        }

        fieldBytes = plain.Length - plain.LastIndexOfAny(plainStops) - 1;
        CheckLimits();
    }

    private void Scan(ReadOnlySpan<byte> bytes)
    {
        int i = 0;
        while (i < bytes.Length)
        {
            if (escapePending)
            {
                // A JSON backslash escape split across two reads: its second byte is plain string content.
                escapePending = false;
                Add(1);
                i++;
                continue;
            }

            var rest = bytes[i..];
            int stop = rest.IndexOfAny(inQuotes ? quotedStops : plainStops);
            if (stop < 0)
            {
                Add(rest.Length);
                return;
            }

            Add(stop + 1);
            i += stop + 1;
            byte b = rest[stop];
            if (b == (byte)'\n')
            {
                // In JSON a raw line break cannot be inside a string; end the line whatever state we are in.
                inQuotes = false;
                fieldBytes = 0;
                rowBytes = 0;
                Record++;
            }
            else if (b == (byte)'"')
            {
                inQuotes = !inQuotes;
                if (inQuotes)
                {
                    quoteOpenedInRecord = Record;
                }
                else if (json)
                {
                    fieldBytes = 0;
                }
            }
            else if (json && b == (byte)'\\')
            {
                if (i < bytes.Length)
                {
                    Add(1);
                    i++;
                }
                else
                {
                    escapePending = true;
                }
            }
            else if (b == delimiter || b == (byte)'\r')
            {
                fieldBytes = 0;
            }
        }
    }

    private void Add(long count)
    {
        fieldBytes += count;
        rowBytes += count;
        CheckLimits();
    }

    private void CheckLimits()
    {
        if (fieldBytes > maxField)
        {
            throw new IngestException(
                IngestProblem.FieldTooLarge,
                $"A field is larger than {Describe(maxField)} (the MaxFieldBytes limit); an unclosed quote may have joined many rows into one field.",
                inQuotes && !json ? quoteOpenedInRecord : Record);
        }

        if (rowBytes > maxRow)
        {
            throw new IngestException(IngestProblem.RowTooLarge, $"A row is larger than {Describe(maxRow)} (the MaxRowBytes limit).", Record);
        }
    }

    private static string Describe(long bytes) => bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes} bytes";
}
