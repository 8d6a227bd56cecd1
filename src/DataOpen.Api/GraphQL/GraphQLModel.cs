using DataOpen.Api.Catalog;
using GraphQL.Types;

namespace DataOpen.Api.GraphQL;

/// <summary>Root field names that serve one dataset's rows.</summary>
public sealed record RowFieldNames(string Identifier, string TypeName, string Rows, string Aggregate);

/// <summary>
/// The schema built for one catalog version together with that snapshot. A request takes one model
/// at its start and keeps it, so a schema swap in the middle of a request changes nothing for it.
/// </summary>
public sealed class GraphQLModel(ISchema schema, CatalogSnapshot snapshot, IReadOnlyDictionary<string, RowFieldNames> rowFields)
{
    public ISchema Schema { get; } = schema;

    public CatalogSnapshot Snapshot { get; } = snapshot;

    public long CatalogVersion => Snapshot.CatalogVersion;

    /// <summary>By dataset identifier.</summary>
    public IReadOnlyDictionary<string, RowFieldNames> RowFields { get; } = rowFields;

    /// <summary>Documents already validated against <see cref="Schema"/>.</summary>
    public ValidatedDocuments Documents { get; } = new();
}

/// <summary>What resolvers need from the request; passed as the GraphQL user context.</summary>
public sealed class GraphQLRequestContext : Dictionary<string, object?>
{
    public GraphQLRequestContext(HttpContext http, GraphQLModel model)
    {
        Http = http;
        Model = model;
    }

    public HttpContext Http { get; }

    public GraphQLModel Model { get; }
}
