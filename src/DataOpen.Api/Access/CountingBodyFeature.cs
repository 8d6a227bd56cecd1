using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace DataOpen.Api.Access;

/// <summary>
/// Counts the bytes of a response body while leaving the server's own body writer in place. A door writing
/// to <see cref="HttpResponse.BodyWriter"/> writes straight into Kestrel's pipe: the count is taken as the
/// bytes are committed (<see cref="PipeWriter.Advance"/>), with no copy and no extra flush. (Replacing
/// <see cref="HttpResponse.Body"/> with a counting stream instead made the framework put a stream pipe
/// writer in front of it, which handed Kestrel the body 4 KB at a time, each written and flushed alone.)
/// Bytes written through <see cref="HttpResponse.Body"/> are counted by a thin stream over the inner one.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The counting stream holds nothing of its own to release; the stream it writes to belongs to the server.")]
public sealed class CountingBodyFeature : IHttpResponseBodyFeature
{
    private readonly IHttpResponseBodyFeature inner;
    private readonly CountingWriter writer;
    private readonly CountingStream stream;

    public CountingBodyFeature(IHttpResponseBodyFeature inner)
    {
        this.inner = inner;
        writer = new CountingWriter(this, inner.Writer);
        stream = new CountingStream(this, inner.Stream);
    }

    /// <summary>Body bytes written so far, through either the writer, the stream or SendFileAsync.</summary>
    public long Written { get; private set; }

    public Stream Stream => stream;

    public PipeWriter Writer => writer;

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        await inner.SendFileAsync(path, offset, count, cancellationToken);
        Written += count ?? (new FileInfo(path).Length - offset);
    }

    public Task CompleteAsync() => inner.CompleteAsync();

    private sealed class CountingWriter(CountingBodyFeature owner, PipeWriter inner) : PipeWriter
    {
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes)
        {
            owner.Written += bytes;
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            owner.Written += source.Length;
            return inner.WriteAsync(source, cancellationToken);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }

    private sealed class CountingStream(CountingBodyFeature owner, Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            owner.Written += count;
            inner.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            owner.Written += buffer.Length;
            inner.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            owner.Written += count;
            return inner.WriteAsync(buffer, offset, count, cancellationToken);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            owner.Written += buffer.Length;
            return inner.WriteAsync(buffer, cancellationToken);
        }
    }
}
