using System.ComponentModel.DataAnnotations;

namespace DataOpen.Api.GraphQL;

/// <summary>Settings under <c>DataOpen:GraphQL</c> (environment <c>DataOpen__GraphQL__MaxComplexity</c>…).</summary>
public sealed class GraphQLLimits
{
    public const string Section = "DataOpen:GraphQL";

    /// <summary>Largest <c>first</c> of a row or aggregate field.</summary>
    [Range(1, 10_000)]
    public int MaxPageSize { get; set; } = 1000;

    /// <summary><c>first</c> when not given.</summary>
    [Range(1, 10_000)]
    public int DefaultPageSize { get; set; } = 100;

    /// <summary>Deepest selection allowed; the standard introspection query needs 13 levels.</summary>
    [Range(15, 100)]
    public int MaxDepth { get; set; } = 15;

    /// <summary>
    /// Complexity budget of one operation. Each field costs 1; a row or aggregate field multiplies the cost of
    /// what is selected under it by its page size (first), so 1,000 rows of 30 fields cost about 32,000.
    /// Introspection costs nothing.
    /// </summary>
    [Range(100, 10_000_000)]
    public int MaxComplexity { get; set; } = 50_000;

    /// <summary>Largest request body accepted, in bytes.</summary>
    [Range(1024, 16 << 20)]
    public int MaxRequestBytes { get; set; } = 256 * 1024;
}
