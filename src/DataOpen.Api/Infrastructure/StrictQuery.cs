using System.IO.Pipelines;
using System.Reflection;
using System.Security.Claims;
using DataOpen.Core.Query;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Primitives;

namespace DataOpen.Api.Infrastructure;

/// <summary>A query parameter every strict endpoint accepts, read before any endpoint runs (<c>api_key</c>); registered by the feature that reads it.</summary>
public sealed record UniversalQueryParameter(string Name);

/// <summary>Query parameters a handler reads from the raw query string, which neither the binder nor the OpenAPI metadata shows.</summary>
public sealed record AcceptsQueryMetadata(IReadOnlyList<string> Names);

/// <summary>Query parameters beyond the known ones are the handler's to check (the rows door: field conditions, with their own 400).</summary>
public sealed record HandlerChecksQueryMetadata(string What);

/// <summary>An alias of a route the OpenAPI document describes (CKAN's unversioned /api/action/… is /api/3/action/…); the alias itself is not in the document.</summary>
public sealed record DocumentedAsMetadata(string Route);

/// <summary>The endpoint refuses unknown query parameters; <see cref="Known"/> holds the names it accepts once it is built.</summary>
public sealed class StrictQueryMetadata
{
    public IReadOnlyList<string> Known { get; internal set; } = [];

    /// <summary>Null, or what the handler checks itself (<see cref="HandlerChecksQueryMetadata"/>).</summary>
    public string? HandlerChecks { get; internal set; }
}

/// <summary>
/// Strict query parameters for the REST endpoints: a parameter the endpoint does not know is a 400
/// problem naming it, with the closest known names and the list of known ones, instead of being
/// ignored (<c>?openClass=conditional</c> used to return every dataset). The known names come from the
/// handler itself, so they cannot drift from it: its query-bound parameters (<c>[FromQuery]</c> or
/// inferred: simple types that are neither route values nor services), the <see cref="OpenApiQueryParameter"/>
/// metadata of parameters it reads from the raw query string, <see cref="AcceptsQueryMetadata"/>, and every
/// <see cref="UniversalQueryParameter"/>. Names compare ignoring case, as the binder does.
/// </summary>
public static class StrictQuery
{
    public const string ProblemType = "unknown-parameter";

    /// <summary>Refuses unknown query parameters on every endpoint of this builder (apply it to a route group).</summary>
    public static TBuilder WithStrictQuery<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            var metadata = new StrictQueryMetadata();
            endpoint.Metadata.Add(metadata);
            endpoint.FilterFactories.Add((context, next) =>
            {
                // Runs when the endpoint is built, after every convention added its metadata.
                var known = KnownNames(context.MethodInfo, (endpoint as RouteEndpointBuilder)?.RoutePattern, endpoint.Metadata, context.ApplicationServices);
                metadata.Known = known;
                metadata.HandlerChecks = endpoint.Metadata.OfType<HandlerChecksQueryMetadata>().LastOrDefault()?.What;
                if (metadata.HandlerChecks is not null)
                {
                    return next;
                }

                var accepted = new HashSet<string>(known, StringComparer.OrdinalIgnoreCase);
                return invocation =>
                {
                    foreach (var name in invocation.HttpContext.Request.Query.Keys)
                    {
                        if (!accepted.Contains(name))
                        {
                            return ValueTask.FromResult<object?>(Problem(name, known));
                        }
                    }

                    return next(invocation);
                };
            });
        });
        return builder;
    }

    /// <summary>Declares query parameters the handler reads from the raw query string and the OpenAPI document does not describe.</summary>
    public static TBuilder AcceptsQuery<TBuilder>(this TBuilder builder, params string[] names) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AcceptsQueryMetadata(names));

    /// <summary>Lets the handler check the query parameters beyond the known ones itself (it must answer an unknown one with its own 400).</summary>
    public static TBuilder WithHandlerCheckedQuery<TBuilder>(this TBuilder builder, string what) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new HandlerChecksQueryMetadata(what));

    /// <summary>400 naming the unknown parameter, where it was (<c>in: query</c>), the closest known names and all of them.</summary>
    public static ProblemHttpResult Problem(string name, IReadOnlyList<string> known)
    {
        var shown = name.Length <= 60 ? name : string.Concat(name.AsSpan(0, 57), "…");
        var suggestions = Names.CloseMatches(name, known);
        return Problems.BadRequest(ProblemType,
            $"Unknown query parameter '{shown}'.{Names.DidYouMean(suggestions)} Known parameters: {string.Join(", ", known)}.",
            shown,
            new Dictionary<string, object?>
            {
                ["code"] = "unknown_parameter",
                ["in"] = "query",
                ["suggestions"] = suggestions,
                ["known"] = known,
            });
    }

    /// <summary>The query parameter names an endpoint accepts, in declaration order, universal ones last.</summary>
    public static IReadOnlyList<string> KnownNames(MethodInfo handler, RoutePattern? route, IEnumerable<object> metadata, IServiceProvider services)
    {
        var isService = services.GetService<IServiceProviderIsService>();
        var items = metadata.ToList();
        return handler.GetParameters().SelectMany(p => BoundName(p, route, isService))
            .Concat(items.OfType<OpenApiQueryParameter>().Select(p => p.Name))
            .Concat(items.OfType<AcceptsQueryMetadata>().SelectMany(a => a.Names))
            .Concat(services.GetServices<UniversalQueryParameter>().Select(u => u.Name))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    private static readonly Type[] NotFromQuery =
    [
        typeof(HttpContext), typeof(HttpRequest), typeof(HttpResponse), typeof(CancellationToken), typeof(ClaimsPrincipal),
        typeof(Stream), typeof(PipeReader), typeof(IFormFile), typeof(IFormFileCollection), typeof(IFormCollection),
    ];

    /// <summary>The query name a handler parameter binds from, following the minimal-API binding rules; none for route, body, header, form, services and special types.</summary>
    private static IEnumerable<string> BoundName(ParameterInfo parameter, RoutePattern? route, IServiceProviderIsService? isService)
    {
        var attributes = parameter.GetCustomAttributes(inherit: true);
        if (attributes.OfType<IFromQueryMetadata>().FirstOrDefault() is { } fromQuery)
        {
            return [fromQuery.Name ?? parameter.Name!];
        }

        if (attributes.OfType<AsParametersAttribute>().Any())
        {
            // Not used here; refuse at start-up rather than let a bound name be refused at run time.
            throw new NotSupportedException($"{parameter.Member.Name}({parameter.Name}): [AsParameters] is not read by {nameof(StrictQuery)}; declare its query names with {nameof(AcceptsQuery)}.");
        }

        var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
        if (attributes.Any(a => a is IFromRouteMetadata or IFromBodyMetadata or IFromHeaderMetadata or IFromFormMetadata or IFromServiceMetadata or FromKeyedServicesAttribute)
            || NotFromQuery.Contains(type)
            || route?.GetParameter(parameter.Name!) is not null
            || isService?.IsService(parameter.ParameterType) == true)
        {
            return [];
        }

        var element = type.IsArray ? type.GetElementType()! : type;
        element = Nullable.GetUnderlyingType(element) ?? element;
        return IsParsable(element) ? [parameter.Name!] : [];
    }

    /// <summary>Types the binder reads from a string (the rest are bodies or bound by BindAsync).</summary>
    private static bool IsParsable(Type type) =>
        type == typeof(string) || type == typeof(StringValues) || type.IsEnum
        || type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IParsable<>))
        || type.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static, [typeof(string), type.MakeByRefType()]) is not null
        || type.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(IFormatProvider), type.MakeByRefType()]) is not null;
}
