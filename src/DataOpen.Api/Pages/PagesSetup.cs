using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace DataOpen.Api.Pages;

/// <summary>The catalog pages: Razor Pages, request localization (zh-CN default, en), static files, sitemap and robots.</summary>
public static class PagesSetup
{
    public static readonly CultureInfo[] Cultures = [new("zh-CN"), new("en")];

    public static IServiceCollection AddDataOpenPages(this IServiceCollection services)
    {
        services.AddRazorPages();
        // Razor would otherwise write every Chinese character as a numeric entity.
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddSingleton<Ui>();
        services.AddSingleton<Infrastructure.IOutageWriter, PageOutageWriter>();
        services.AddSingleton<FeedbackStore>();
        services.AddSingleton<ChartBuilder>();
        services.AddSingleton<SelfApi>();
        services.AddHttpClient(SelfApi.ClientName, c => c.Timeout = TimeSpan.FromSeconds(30));
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture("zh-CN");
            o.SupportedCultures = Cultures;
            o.SupportedUICultures = Cultures;
            // Explicit choice (cookie set by the language toggle) wins over the browser's Accept-Language.
            o.RequestCultureProviders = [new QueryStringRequestCultureProvider(), new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        });
        return services;
    }

    /// <summary>
    /// Localization, static files and HTML error pages apply to the pages only: the API doors keep
    /// the invariant culture and their own problem+json errors.
    /// </summary>
    public static WebApplication UseDataOpenPages(this WebApplication app)
    {
        app.UseStaticFiles();
        app.UseWhen(IsPageRequest, branch =>
        {
            branch.UseRequestLocalization();
            branch.UseStatusCodePages(ctx => ErrorPages.WriteAsync(ctx.HttpContext, ctx.HttpContext.RequestServices.GetRequiredService<Ui>()));
        });
        return app;
    }

    public static IEndpointRouteBuilder MapDataOpenPages(this IEndpointRouteBuilder app)
    {
        app.MapRazorPages();
        app.MapSiteEndpoints();
        app.MapStewardEndpoints();
        return app;
    }

    private static readonly string[] ApiPrefixes = ["/api", "/odata", "/graphql", "/swagger", "/health", "/graphiql"];

    public static bool IsPageRequest(HttpContext http) =>
        !ApiPrefixes.Any(p => http.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));
}
