namespace DataOpen.Api.Rows;

/// <summary>
/// A write-only, non-seekable stream that collects what synchronous writers (ZipArchive, Parquet
/// page encoders, StreamWriter) produce, so the caller can hand it to the response asynchronously
/// every few rows: memory stays at one chunk whatever the size of the download, and Kestrel never
/// sees synchronous I/O.
/// </summary>
public sealed class ChunkStream : Stream
{
    public const int DrainThreshold = 1 << 16;

    private readonly MemoryStream buffer = new();
    private long written;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => written;

    /// <summary>Bytes written so far (readable for writers that record offsets; not settable).</summary>
    public override long Position
    {
        get => written;
        set => throw new NotSupportedException("A download is written front to back.");
    }

    public long Pending => buffer.Length;

    public bool ShouldDrain => buffer.Length >= DrainThreshold;

    public async Task DrainAsync(Stream target, CancellationToken ct)
    {
        if (buffer.Length == 0)
        {
            return;
        }

        await target.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct);
        buffer.SetLength(0);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        this.buffer.Write(buffer);
        written += buffer.Length;
    }

    public override void WriteByte(byte value)
    {
        buffer.WriteByte(value);
        written++;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A download is written front to back.");

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            buffer.Dispose();
        }

        base.Dispose(disposing);
    }
}
