using GraphQLParser.AST;

namespace DataOpen.Api.GraphQL;

/// <summary>
/// Reads the selection under a field (through fragments and inline fragments) so a resolver fetches
/// only the columns and parts that are asked for: totalCount runs a count only when selected.
/// @skip/@include are not evaluated: a conditionally skipped field is fetched anyway, which costs a
/// column, never a wrong answer.
/// </summary>
internal static class Selections
{
    public static IEnumerable<GraphQLField> Fields(GraphQLSelectionSet? set, GraphQLDocument document, int depth = 0)
    {
        if (set is null || depth > 32)
        {
            yield break;
        }

        foreach (var selection in set.Selections)
        {
            switch (selection)
            {
                case GraphQLField f:
                    yield return f;
                    break;
                case GraphQLInlineFragment inline:
                    foreach (var f in Fields(inline.SelectionSet, document, depth + 1))
                    {
                        yield return f;
                    }

                    break;
                case GraphQLFragmentSpread spread:
                    var fragment = document.Definitions.OfType<GraphQLFragmentDefinition>()
                        .FirstOrDefault(d => d.FragmentName.Name.Value.Span.SequenceEqual(spread.FragmentName.Name.Value.Span));
                    foreach (var f in Fields(fragment?.SelectionSet, document, depth + 1))
                    {
                        yield return f;
                    }

                    break;
            }
        }
    }

    public static IEnumerable<GraphQLField> Named(GraphQLSelectionSet? set, GraphQLDocument document, string name) =>
        Fields(set, document).Where(f => f.Name.StringValue == name);

    /// <summary>Names of the fields selected under every <paramref name="path"/> occurrence (e.g. edges → node).</summary>
    public static HashSet<string> NamesUnder(GraphQLSelectionSet? set, GraphQLDocument document, params string[] path)
    {
        IEnumerable<GraphQLField> level = [new GraphQLField(new GraphQLName("_")) { SelectionSet = set }];
        foreach (var step in path)
        {
            level = level.SelectMany(f => Named(f.SelectionSet, document, step)).ToList();
        }

        return level.SelectMany(f => Fields(f.SelectionSet, document)).Select(f => f.Name.StringValue).ToHashSet(StringComparer.Ordinal);
    }
}
