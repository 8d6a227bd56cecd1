using System.Buffers;
using System.Text.Json;
using Nerdbank.Streams;

namespace DataOpen.Api.Rows;

/// <summary>
/// How a door writes one row of a page: <see cref="Key"/> names everything besides the query that the bytes
/// depend on (format, service root…), so a page is only served to a request that would write the same bytes.
/// </summary>
/// <remarks><see cref="Options"/> are the door's own writer options, so a page read ahead is escaped as the door escapes.</remarks>
public sealed record PageRenderer(string Key, JsonWriterOptions Options, Action<Utf8JsonWriter, ResultRow> WriteRow);

/// <summary>
/// A page read ahead: its rows as the renderer wrote them (JSON values separated by commas, without the
/// brackets around them), how many, a copy of the last row (for the cursor of the next page) when the page
/// is full, and whether a row follows it. Its buffers are pooled: dispose it once sent.
/// </summary>
public sealed class RenderedPage(Sequence<byte> buffer, int rows, object?[]? last, bool hasMore) : IDisposable
{
    /// <summary>The rows' bytes: <c>{…},{…}</c>.</summary>
    public ReadOnlySequence<byte> Json { get; } = buffer.AsReadOnlySequence.Slice(Math.Min(1, buffer.Length));

    public int Rows { get; } = rows;

    public object?[]? Last { get; } = last;

    public bool HasMore { get; } = hasMore;

    public void Dispose() => buffer.Dispose();
}

/// <summary>Writes a page's rows into pooled buffers while the query reads them.</summary>
internal sealed class PageWriter : IDisposable
{
    private readonly Sequence<byte> buffer;
    private readonly Utf8JsonWriter json;
    private int rows;

    /// <summary>Buffers of about 128 bytes a row, from 1 KB to 64 KB each: what a page holds stays in proportion to its rows.</summary>
    public PageWriter(int pageSize, JsonWriterOptions options)
    {
        buffer = new Sequence<byte>(ArrayPool<byte>.Shared) { MinimumSpanLength = (int)Math.Clamp(pageSize * 128L, 1024, 64 * 1024) };
        json = new Utf8JsonWriter(buffer, options with { SkipValidation = true });
        json.WriteStartArray(); // so the writer puts commas between rows; RenderedPage leaves the bracket out
    }

    /// <summary>A copy of the last row written with <c>keep</c>.</summary>
    public object?[]? Last { get; private set; }

    public bool HasMore { get; set; }

    public void Write(PageRenderer renderer, ResultRow row, bool keep)
    {
        renderer.WriteRow(json, row);
        rows++;
        if (keep)
        {
            Last = row.ToArray();
        }
    }

    /// <summary>The page, which now owns the buffers.</summary>
    public RenderedPage Finish()
    {
        json.Flush();
        json.Dispose();
        return new RenderedPage(buffer, rows, HasMore ? Last : null, HasMore);
    }

    public void Dispose()
    {
        json.Dispose();
        buffer.Dispose();
    }
}
