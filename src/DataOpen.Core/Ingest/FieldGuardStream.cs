using System.Buffers;

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
internal sealed partial class FieldGuardStream : Stream
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
}
