using System.Collections.Concurrent;
using GraphQL.Validation;
using GraphQLParser.AST;

namespace DataOpen.Api.GraphQL;

/// <summary>
/// Documents that passed validation against one schema (one per <see cref="GraphQLModel"/>, so a schema swap starts
/// empty), by query text. A client sends the same document with other variables again and again; a profile of the page
/// query showed GraphQL.NET's validation at a tenth of the service's CPU. A document found here is neither parsed nor
/// run through the rules that depend on the document alone; the rules that read the variables or charge the
/// request's complexity still run every time (as GraphQL.NET's own document cache does, with
/// <c>CachedDocumentValidationRules</c>). Bounded: documents up to <see cref="MaxQueryLength"/> characters, at most
/// <see cref="Capacity"/>; when full, it is emptied and fills again with what is being asked.
/// </summary>
public sealed class ValidatedDocuments
{
    public const int Capacity = 1024;

    public const int MaxQueryLength = 8192;

    /// <summary>A validated document and, when it is a one-row lookup, its plan.</summary>
    internal sealed record Kept(GraphQLDocument Document, KeyPlan? Plan);

    private readonly ConcurrentDictionary<string, Kept> documents = new(StringComparer.Ordinal);
    private long planned;

    public int Count => documents.Count;

    /// <summary>Requests served by a <see cref="KeyPlan"/> (no executor).</summary>
    public long Planned => Interlocked.Read(ref planned);

    internal void CountPlanned() => Interlocked.Increment(ref planned);

    /// <summary>
    /// The rules a validated document still needs: those that visit the variables or run after they are read (the
    /// complexity charge among them), i.e. that override <see cref="ValidationRuleBase"/>'s variable or post-node visitor.
    /// A rule not built on <see cref="ValidationRuleBase"/> is kept: it may read anything.
    /// </summary>
    public static IValidationRule[] RulesForValidated(IEnumerable<IValidationRule> rules) =>
        [.. rules.Where(r => r is not ValidationRuleBase
            || Overrides(r, nameof(ValidationRuleBase.GetVariableVisitorAsync)) || Overrides(r, nameof(ValidationRuleBase.GetPostNodeVisitorAsync)))];

    private static bool Overrides(IValidationRule rule, string method) =>
        rule.GetType().GetMethod(method, [typeof(ValidationContext)])?.DeclaringType != typeof(ValidationRuleBase);

    public GraphQLDocument? Find(string query) => Lookup(query)?.Document;

    internal Kept? Lookup(string query) => documents.TryGetValue(query, out var kept) ? kept : null;

    /// <summary>Keeps a validated document, with its <see cref="KeyPlan"/> when it is a one-row lookup.</summary>
    internal void Add(string query, GraphQLDocument document, KeyPlan? plan = null)
    {
        if (query.Length > MaxQueryLength)
        {
            return;
        }

        if (documents.Count >= Capacity)
        {
            documents.Clear();
        }

        documents[query] = new Kept(document, plan);
    }
}
