using System.Globalization;
using System.Text;
using System.Xml;
using DataOpen.Api.Catalog;
using Microsoft.AspNetCore.Localization;

namespace DataOpen.Api.Pages;

/// <summary>sitemap.xml, robots.txt and the language toggle (a plain link, so it works without JavaScript).</summary>
public static class SiteEndpoints
{
    public static readonly string[] StaticPages = ["/", "/datasets", "/statistics", "/reuses", "/requests", "/developers"];

    public static IEndpointRouteBuilder MapSiteEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/robots.txt", (HttpRequest request) =>
            Results.Text($"User-agent: *\nAllow: /\nDisallow: /api/\nDisallow: /language\nSitemap: {CatalogEndpoints.BaseUrl(request)}/sitemap.xml\n", "text/plain; charset=utf-8"))
            .ExcludeFromDescription();
        app.MapGet("/sitemap.xml", Sitemap).ExcludeFromDescription();
        app.MapGet("/language", Language).ExcludeFromDescription();
        return app;
    }

    private static IResult Sitemap(HttpRequest request, CatalogStore catalog)
    {
        var baseUrl = CatalogEndpoints.BaseUrl(request);
        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(sb, new XmlWriterSettings { Indent = true, OmitXmlDeclaration = false }))
        {
            w.WriteStartElement("urlset", "http://www.sitemaps.org/schemas/sitemap/0.9");
            foreach (var page in StaticPages)
            {
                w.WriteStartElement("url");
                w.WriteElementString("loc", baseUrl + page);
                w.WriteEndElement();
            }

            foreach (var d in catalog.Current.Served.Where(d => !d.IsRetired).OrderBy(d => d.Identifier, StringComparer.Ordinal))
            {
                w.WriteStartElement("url");
                w.WriteElementString("loc", $"{baseUrl}/datasets/{d.Identifier}");
                w.WriteElementString("lastmod", d.Modified.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                w.WriteEndElement();
            }

            w.WriteEndElement();
        }

        // StringBuilder output declares utf-16; the response is UTF-8.
        return Results.Text(sb.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal), "application/xml; charset=utf-8");
    }

    /// <summary>Remembers the chosen language in the standard culture cookie for a year and goes back to the page.</summary>
    private static IResult Language(HttpContext http, string? culture, string? returnUrl)
    {
        var chosen = PagesSetup.Cultures.FirstOrDefault(c => string.Equals(c.Name, culture, StringComparison.OrdinalIgnoreCase));
        if (chosen is null)
        {
            return Results.BadRequest($"culture must be one of {string.Join(", ", PagesSetup.Cultures.Select(c => c.Name))}; it was '{culture}'.");
        }

        http.Response.Cookies.Append(
            CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = true, Path = "/" });
        // Only local paths: an open redirect would let links on this domain send people anywhere.
        var target = !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl : "/";
        return Results.Redirect(target);
    }
}
