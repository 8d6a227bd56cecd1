namespace DataOpen.Api.Rows;

/// <summary>
/// A text reader that says whether it has handed out any character yet, so a copy that failed on its first
/// read (nothing written anywhere) can be started again on another server, and one that failed later cannot.
/// </summary>
internal sealed class HandedOutReader(TextReader inner) : TextReader
{
    /// <summary>True once any read returned at least one character.</summary>
    public bool HandedOut { get; private set; }

    private int Seen(int count)
    {
        HandedOut |= count > 0;
        return count;
    }

    public override int Peek() => inner.Peek();

    public override int Read()
    {
        var c = inner.Read();
        HandedOut |= c >= 0;
        return c;
    }

    public override int Read(char[] buffer, int index, int count) => Seen(inner.Read(buffer, index, count));

    public override int Read(Span<char> buffer) => Seen(inner.Read(buffer));

    public override async Task<int> ReadAsync(char[] buffer, int index, int count) => Seen(await inner.ReadAsync(buffer, index, count));

    public override async ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default) =>
        Seen(await inner.ReadAsync(buffer, cancellationToken));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
