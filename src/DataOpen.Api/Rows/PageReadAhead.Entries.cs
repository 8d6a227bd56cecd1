using DataOpen.Core.Query;

namespace DataOpen.Api.Rows;

public sealed partial class PageReadAhead
{
    /// <summary>One client's walk: how to compile its next pages, and how far it has been read.</summary>
    private sealed class Walk(PageRenderer renderer, Func<object?[], int, CompiledQuery?>? pagesAfter)
    {
        public PageRenderer Renderer { get; } = renderer;

        public Func<object?[], int, CompiledQuery?>? PagesAfter { get; } = pagesAfter;

        /// <summary>Pages of this walk started and not yet taken by a request (guarded by the walk's lock).</summary>
        public int Pending { get; set; }

        /// <summary>The furthest page started: the walk continues from it once read.</summary>
        public Entry? Tail { get; set; }
    }

    private sealed class Entry(CompiledQuery query, Walk walk, DateTime expires)
    {
        public CompiledQuery Query { get; } = query;

        public Walk Walk { get; } = walk;

        public DateTime Expires { get; } = expires;

        /// <summary>Completes with the page once read (null when the read failed).</summary>
        public TaskCompletionSource<RenderedPage?> Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The page once read.</summary>
        public RenderedPage? Read { get; set; }

        /// <summary>The read after this page has been started (guarded by the walk's lock).</summary>
        public bool Chained { get; set; }
    }
}
