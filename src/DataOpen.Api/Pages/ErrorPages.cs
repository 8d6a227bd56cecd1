using System.Text.Encodings.Web;

namespace DataOpen.Api.Pages;

/// <summary>
/// HTML bodies for empty error responses of page requests (a dataset that is not open, an unknown path,
/// a form without its antiforgery token). Written directly rather than by re-executing a Razor page,
/// because re-execution cannot route again when routing runs implicitly at the start of the pipeline.
/// The status code of the original response is kept.
/// </summary>
public static class ErrorPages
{
    // Chinese text stays readable instead of becoming numeric entities.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    public static async Task WriteAsync(HttpContext http, Ui ui)
    {
        var code = http.Response.StatusCode;
        var (title, text) = code switch
        {
            404 => (ui["notFound.title"], ui["notFound.text"]),
            < 500 => (ui["error.badRequest"], ui["error.badRequestText"]),
            503 => (ui["error.server"], ui["error.unavailableText"]),
            _ => (ui["error.server"], ui["error.serverText"]),
        };
        var e = Encoder;
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync(
            $"""
            <!DOCTYPE html>
            <html lang="{ui.Language}">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{e.Encode(title)} · {e.Encode(ui["site.name"])}</title><link rel="stylesheet" href="/css/site.css"></head>
            <body>
            <header class="site-header"><div class="wrap header-row"><a class="brand" href="/">{e.Encode(ui["site.name"])}</a></div></header>
            <main id="main" class="wrap">
            <h1>{e.Encode(title)}</h1>
            <p>{e.Encode(text)}</p>
            <p><a href="/datasets">{e.Encode(ui["notFound.search"])}</a> · <a href="/requests">{e.Encode(ui["notFound.request"])}</a></p>
            </main>
            </body>
            </html>
            """, http.RequestAborted);
    }
}

/// <summary>The HTML 503 of a page request while the database is unreachable (the page reloads itself after Retry-After).</summary>
internal sealed class PageOutageWriter(Ui ui) : Infrastructure.IOutageWriter
{
    public bool Handles(HttpContext http) => PagesSetup.IsPageRequest(http);

    public Task WriteAsync(HttpContext http, string message)
    {
        http.Response.Headers["Refresh"] = Infrastructure.DatabaseFaults.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ErrorPages.WriteAsync(http, ui);
    }
}
