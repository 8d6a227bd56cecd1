using GraphQL;
using GraphQL.Resolvers;
using GraphQL.Types;
using GraphQLParser.AST;

namespace DataOpen.Api.GraphQL;

/// <summary>
/// Brings GraphQL.NET 8.8.5's introspection up to the October 2021 spec, which graphql-js 16 asks for with
/// <c>getIntrospectionQuery({ specifiedByUrl, inputValueDeprecation, ... })</c>:
/// <list type="bullet">
/// <item><c>__Type.specifiedByURL</c> — GraphQL.NET 8 has no such field (nor a <c>@specifiedBy</c> directive), so the
/// query failed with "Cannot query field 'specifiedByURL' on type '__Type'".</item>
/// <item><c>includeDeprecated</c> on <c>__Directive.args</c> — <c>Features.DeprecationOfInputValues</c> adds it to
/// <c>__Field.args</c> and <c>__Type.inputFields</c> only.</item>
/// </list>
/// The schema's own introspection types are patched after <c>Initialize()</c>, so every schema built per catalog
/// version gets them; each call adds only what is missing (a later GraphQL.NET that serves them natively is left alone).
/// </summary>
public static class IntrospectionConformance
{
    /// <summary>Metadata key of a scalar's specification URL (spec: <c>@specifiedBy(url:)</c>).</summary>
    public const string SpecifiedByUrlKey = "dataopen:specifiedByURL";

    public const string DateSpec = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6";

    public const string DateTimeSpec = "https://scalars.graphql.org/andimarek/date-time";

    public static ScalarGraphType SpecifiedBy(this ScalarGraphType scalar, string url)
    {
        scalar.Metadata[SpecifiedByUrlKey] = url;
        return scalar;
    }

    public static string? SpecifiedByUrl(IGraphType type) =>
        type is ScalarGraphType s && s.Metadata.TryGetValue(SpecifiedByUrlKey, out var url) ? url as string : null;

    /// <summary>The spec's built-in <c>@specifiedBy(url: String!) on SCALAR</c>, which GraphQL.NET 8 does not declare.</summary>
    public static Directive SpecifiedByDirective() => new SpecifiedByDirectiveType
    {
        Description = "Exposes a URL that specifies the behaviour of this scalar.",
        Arguments = new QueryArguments(new QueryArgument<NonNullGraphType<StringGraphType>>
        {
            Name = "url",
            Description = "The URL that specifies the behaviour of this scalar.",
        }),
    };

    public static void Apply(ISchema schema)
    {
        var stringType = schema.AllTypes["String"] ?? throw new InvalidOperationException("String scalar missing");
        var booleanType = schema.AllTypes["Boolean"] ?? throw new InvalidOperationException("Boolean scalar missing");
        if (schema.Directives.Find("specifiedBy")?.Arguments?.Find("url") is { ResolvedType: null } url)
        {
            // Initialize() resolves only the directives it knows; this one's argument is resolved here.
            url.ResolvedType = new NonNullGraphType(stringType);
        }

        if (schema.AllTypes["__Type"] is IComplexGraphType type && !type.HasField("specifiedByURL"))
        {
            type.AddField(new FieldType
            {
                Name = "specifiedByURL",
                Description = "A URL pointing to a specification of the scalar's behaviour (null for built-in and unspecified scalars).",
                Type = typeof(StringGraphType),
                ResolvedType = stringType,
                Resolver = new FuncFieldResolver<object?>(ctx => ctx.Source is IGraphType t ? SpecifiedByUrl(t) : null),
            });
        }

        if (schema.AllTypes["__Directive"] is IComplexGraphType directive && directive.GetField("args") is { } args
            && args.Arguments?.Find("includeDeprecated") is null)
        {
            args.Arguments ??= [];
            args.Arguments.Add(new QueryArgument(typeof(BooleanGraphType))
            {
                Name = "includeDeprecated",
                DefaultValue = false,
                ResolvedType = booleanType,
            });
            var inner = args.Resolver ?? throw new InvalidOperationException("__Directive.args has no resolver");
            args.Resolver = new FuncFieldResolver<object?>(async ctx =>
            {
                var all = await inner.ResolveAsync(ctx).ConfigureAwait(false);
                return ctx.GetArgument("includeDeprecated", false) || all is not IEnumerable<QueryArgument> list
                    ? all
                    : list.Where(a => a.DeprecationReason is null).ToList();
            });
        }
    }

    /// <summary>Adds <c>@specifiedBy(url:)</c> to the SDL's scalar lines, as graphql-js prints them from introspection.</summary>
    public static string PrintSpecifiedBy(ISchema schema, string sdl)
    {
        foreach (var scalar in schema.AllTypes.OfType<ScalarGraphType>())
        {
            if (SpecifiedByUrl(scalar) is { } url)
            {
                sdl = sdl.Replace($"\nscalar {scalar.Name}\n", $"\nscalar {scalar.Name} @specifiedBy(url: \"{url}\")\n", StringComparison.Ordinal);
            }
        }

        return sdl;
    }
}

/// <summary>GraphQL.NET hides type-system-only directives from introspection; the spec's built-in ones are listed.</summary>
internal sealed class SpecifiedByDirectiveType() : Directive("specifiedBy", DirectiveLocation.Scalar)
{
    public override bool? Introspectable => true;
}
