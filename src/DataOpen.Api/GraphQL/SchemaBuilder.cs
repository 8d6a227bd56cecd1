using DataOpen.Api.Catalog;
using GraphQL;
using GraphQL.Conversion;
using GraphQL.Types;
using FieldType = DataOpen.Core.Catalog.FieldType;

namespace DataOpen.Api.GraphQL;

/// <summary>Types every schema build shares, created fresh for each build (graph types are never shared between schemas).</summary>
internal sealed class CommonTypes
{
    public StringGraphType String { get; } = new();

    public IntGraphType Int { get; } = new();

    public FloatGraphType Float { get; } = new();

    public BooleanGraphType Boolean { get; } = new();

    public StringBigIntGraphType BigInt { get; } = new();

    public StringDecimalGraphType Decimal { get; } = new();

    public IsoDateGraphType Date { get; } = new();

    public IsoDateTimeGraphType DateTime { get; } = new();

    public ObjectGraphType PageInfo { get; } = new() { Name = "PageInfo", Description = "Relay page information. Pages go forward only (first/after)." };

    public EnumerationGraphType SortDirection { get; } = new() { Name = "SortDirection", Description = "Ascending or descending. Empty values sort last ascending and first descending." };

    public EnumerationGraphType AggregateFunction { get; } = new() { Name = "AggregateFunction", Description = "An aggregate to order groups by." };

    public CommonTypes()
    {
        PageInfo.AddField(Gql.Field("hasNextPage", Gql.NonNull(Boolean), "Another page follows; pass endCursor as after to read it.", c => ((IPageInfo)c.Source!).HasNextPage));
        PageInfo.AddField(Gql.Field("hasPreviousPage", Gql.NonNull(Boolean), "True when this page was requested with after (pages before it exist).", c => ((IPageInfo)c.Source!).HasPreviousPage));
        PageInfo.AddField(Gql.Field("startCursor", String, "Cursor of the first edge.", c => ((IPageInfo)c.Source!).StartCursor));
        PageInfo.AddField(Gql.Field("endCursor", String, "Cursor of the last edge: pass it as after for the next page.", c => ((IPageInfo)c.Source!).EndCursor));
        SortDirection.Add("ASC", "asc", "Ascending.");
        SortDirection.Add("DESC", "desc", "Descending.");
        AggregateFunction.Add("COUNT", Core.Query.AggregateFunction.Count, "Number of rows in the group (field is ignored).");
        AggregateFunction.Add("SUM", Core.Query.AggregateFunction.Sum, "Sum of a numeric field.");
        AggregateFunction.Add("AVG", Core.Query.AggregateFunction.Avg, "Average of a numeric field.");
        AggregateFunction.Add("MIN", Core.Query.AggregateFunction.Min, "Smallest value.");
        AggregateFunction.Add("MAX", Core.Query.AggregateFunction.Max, "Largest value.");
    }

    public IGraphType For(FieldType type) => type switch
    {
        FieldType.Integer => Int,
        FieldType.BigInt => BigInt,
        FieldType.Decimal => Decimal,
        FieldType.Double => Float,
        FieldType.Boolean => Boolean,
        FieldType.Date => Date,
        FieldType.Timestamp => DateTime,
        _ => String,
    };
}

internal interface IPageInfo
{
    bool HasNextPage { get; }

    bool HasPreviousPage { get; }

    string? StartCursor { get; }

    string? EndCursor { get; }
}

/// <summary>
/// Builds the GraphQL schema of one catalog snapshot: the catalog (datasets with search and facets,
/// publishers, themes, licences) and, for every served dataset, typed row and aggregate root fields.
/// </summary>
public static class SchemaBuilder
{
    public const int DefaultDatasetPage = 20;

    /// <summary>Names of the catalog's own types; dataset types get a suffix when they would collide.</summary>
    internal static readonly HashSet<string> CatalogTypeNames = new(StringComparer.Ordinal)
    {
        "Query", "Dataset", "DatasetConnection", "DatasetEdge", "DatasetVersion", "DatasetCounters", "DatasetSort", "Field", "Publisher",
        "Theme", "ThemeScheme", "DatasetTheme", "License", "LocalizedText", "Facets", "FacetValue", "ThemeFacet", "OpenClass",
        "PageInfo", "SortDirection", "AggregateFunction", "BigInt", "Decimal", "Date", "DateTime", "String", "Int", "Float", "Boolean", "ID",
        "StringFilter", "IntFilter", "BigIntFilter", "DecimalFilter", "FloatFilter", "BooleanFilter", "DateFilter", "DateTimeFilter",
        "Reuse", "ReuseKind", "RatingSummary", "RatingComment",
    };

    internal static readonly HashSet<string> CatalogRootFields = new(StringComparer.Ordinal) { "datasets", "dataset", "publishers", "themes", "licenses", "reuses" };

    public static GraphQLModel Build(CatalogSnapshot snapshot, GraphQLLimits limits)
    {
        var common = new CommonTypes();
        var catalog = new CatalogTypes(common, snapshot);
        var query = new ObjectGraphType { Name = "Query", Description = "长春新区公共数据开放平台 DataOpen: the catalog and the rows of every open dataset." };
        catalog.AddRootFields(query, limits);

        var rowFields = new Dictionary<string, RowFieldNames>(StringComparer.Ordinal);
        var filters = new FilterTypes(common);
        var usedTypeNames = new HashSet<string>(CatalogTypeNames, StringComparer.Ordinal);
        var usedRootNames = new HashSet<string>(CatalogRootFields, StringComparer.Ordinal);
        foreach (var dataset in snapshot.Served.OrderBy(d => d.Identifier, StringComparer.Ordinal))
        {
            var rows = new RowTypes(dataset, common, filters, limits, usedTypeNames, usedRootNames);
            rows.AddRootFields(query);
            rowFields[dataset.Identifier] = rows.Names;
        }

        var schema = new Schema
        {
            Query = query,
            // Keep names exactly as declared: dataset field names are snake_case and must stay so.
            NameConverter = DefaultNameConverter.Instance,
            Description = "DataOpen GraphQL API: the catalog and typed rows of every open dataset. The schema follows the catalog.",
        };
        foreach (var t in new IGraphType[] { common.BigInt, common.Decimal, common.Date, common.DateTime })
        {
            schema.RegisterType(t);
        }

        // graphql-js's introspection query asks for these when tools enable them (isRepeatable, deprecated arguments).
        schema.Features.RepeatableDirectives = true;
        schema.Features.DeprecationOfInputValues = true;

        // Introspection is free so tools (GraphiQL, codegen) can always read the schema.
        schema.WithIntrospectionComplexityImpact(0);
        schema.Directives.Register(IntrospectionConformance.SpecifiedByDirective());
        schema.Initialize();
        IntrospectionConformance.Apply(schema);
        return new GraphQLModel(schema, snapshot, rowFields);
    }

    /// <summary>The schema in SDL, as committed in openapi/dataopen.graphql; declaration order, so row fields keep column order.</summary>
    public static string PrintSdl(ISchema schema) => IntrospectionConformance.PrintSpecifiedBy(schema,
        schema.Print(new global::GraphQL.Utilities.PrintOptions { IncludeDescriptions = true, IncludeDeprecationReasons = true, StringComparison = null })
            .Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd() + "\n");
}
