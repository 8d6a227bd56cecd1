using System.Text.Json;
using System.Text.Json.Serialization;
using GraphQL;
using GraphQL.Types;
using GraphQLParser.AST;

namespace DataOpen.Api.GraphQL;

/// <summary>
/// What a root lookup field (<c>ByKey</c>, <c>ByRowId</c>) does, callable without GraphQL.NET's executor: the row for
/// the arguments (by name, as their scalars parsed them) with the wanted columns, or null. Errors are <see cref="ExecutionError"/>s.
/// </summary>
internal sealed record KeyLookupField(Func<GraphQLRequestContext, IReadOnlyDictionary<string, object?>, IReadOnlySet<string>, string, CancellationToken, ValueTask<RowValue?>> Run);

/// <summary>
/// Planned one-row operations. A client looking rows up by key sends one small document again and again with other
/// variables; once it has been validated and executed, GraphQL.NET's executor still rebuilt the execution tree, ran the
/// variable rules and resolved every column as a node of its own — in a profile, more than half of the service's time
/// for such a request. A document that is exactly one query operation with one root lookup field, its arguments
/// variables or literals, and under it only plain columns (as <see cref="RowListNode"/> takes them) gets a plan: its
/// variables are parsed by the arguments' own scalars, the lookup runs as the resolver runs it and the row is written
/// with each column's scalar, in the envelope GraphQL.NET's serializer writes. Anything else — another variable type,
/// a value a scalar refuses, a complexity charge beyond the request's own permit, an error of the lookup — takes the
/// executor's path, which answers it as before; a plan only ever serves what the executor would have served.
/// </summary>
internal sealed class KeyPlan
{
    /// <summary>Field metadata key: the root field is a <see cref="KeyLookupField"/>.</summary>
    public const string Metadata = "dataopen.keyLookup";

    /// <summary>One argument of the lookup: from a variable (required when its type is non-null) or a literal parsed once.</summary>
    private sealed record Argument(string Name, string? Variable, bool Required, ScalarGraphType Scalar, object? Literal);

    private readonly string? operationName;
    private readonly string responseName;
    private readonly KeyLookupField lookup;
    private readonly Argument[] arguments;
    private readonly RowListNode.Column[] columns;
    private readonly IReadOnlySet<string> wanted;

    private KeyPlan(string? operationName, string responseName, KeyLookupField lookup, Argument[] arguments, RowListNode.Column[] columns, double impact)
    {
        this.operationName = operationName;
        this.responseName = responseName;
        this.lookup = lookup;
        this.arguments = arguments;
        this.columns = columns;
        Impact = impact;
        wanted = columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The complexity the validation charged the document (the same for every request: no argument sets it).</summary>
    public double Impact { get; }

    /// <summary>The plan of <paramref name="document"/>, or null when it is not a plain one-row lookup.</summary>
    public static KeyPlan? TryCreate(GraphQLDocument document, ISchema schema, double impact)
    {
        if (document.Definitions is not [GraphQLOperationDefinition { Operation: OperationType.Query } op] || op.Directives is { Count: > 0 }
            || op.SelectionSet.Selections is not [GraphQLField root] || root.Directives is { Count: > 0 } || root.SelectionSet is not { } set
            || schema.Query.GetField(root.Name.Value) is not { } field || field.GetMetadata<KeyLookupField>(Metadata) is not { } lookup
            || field.ResolvedType is not IObjectGraphType row)
        {
            return null;
        }

        var variables = new Dictionary<string, GraphQLVariableDefinition>(StringComparer.Ordinal);
        foreach (var v in op.Variables?.Items ?? [])
        {
            if (v.DefaultValue is not null || v.Directives is { Count: > 0 } || v.Type is GraphQLListType or GraphQLNonNullType { Type: GraphQLListType })
            {
                return null;
            }

            variables[v.Variable.Name.StringValue] = v;
        }

        var arguments = new List<Argument>();
        foreach (var given in root.Arguments?.Items ?? [])
        {
            if (field.Arguments?.Find(given.Name.StringValue) is not { ResolvedType: var type } || type?.GetNamedType() is not ScalarGraphType scalar)
            {
                return null;
            }

            if (given.Value is GraphQLVariable variable)
            {
                if (!variables.TryGetValue(variable.Name.StringValue, out var definition))
                {
                    return null;
                }

                arguments.Add(new Argument(given.Name.StringValue, variable.Name.StringValue, definition.Type is GraphQLNonNullType, scalar, null));
                continue;
            }

            try
            {
                arguments.Add(new Argument(given.Name.StringValue, null, false, scalar, given.Value is GraphQLNullValue ? null : scalar.ParseLiteral(given.Value)));
            }
            catch (Exception)
            {
                return null;
            }
        }

        var columns = new RowListNode.Column[set.Selections.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Length; i++)
        {
            if (RowListNode.PlainColumn(set.Selections[i], row, names) is not { } column)
            {
                return null;
            }

            columns[i] = column;
        }

        return new KeyPlan(op.Name?.StringValue, (root.Alias?.Name ?? root.Name).StringValue, lookup, [.. arguments], columns, impact);
    }

    /// <summary>
    /// Serves the request from the plan, or returns false (having written nothing) for the executor to serve it.
    /// <paramref name="write"/> writes the result as the executor's serializer does.
    /// </summary>
    public async Task<bool> TryServeAsync(GraphQLRequestContext request, string query, string? operation, Inputs? variables, Func<ExecutionResult, Task> write)
    {
        if (operation is not null && operation != operationName)
        {
            return false;
        }

        var values = new Dictionary<string, object?>(arguments.Length, StringComparer.Ordinal);
        foreach (var a in arguments)
        {
            object? value = a.Literal;
            if (a.Variable is not null)
            {
                if (variables is null || !variables.TryGetValue(a.Variable, out var raw) || raw is null)
                {
                    if (a.Required)
                    {
                        return false;
                    }

                    continue;
                }

                try
                {
                    value = a.Scalar.ParseValue(raw);
                }
                catch (Exception)
                {
                    return false;
                }

                if (value is null && a.Required)
                {
                    return false;
                }
            }

            values[a.Name] = value;
        }

        RowValue? row;
        try
        {
            row = await lookup.Run(request, values, wanted, query, request.Http.RequestAborted);
        }
        catch (ExecutionError)
        {
            return false;
        }

        object? rendered = null;
        if (row is not null)
        {
            var serialized = new object?[columns.Length];
            try
            {
                for (var c = 0; c < columns.Length; c++)
                {
                    serialized[c] = columns[c].Scalar.Serialize(row.Get(columns[c].Name));
                }
            }
            catch (Exception)
            {
                return false;
            }

            rendered = new RenderedRow(columns, serialized);
        }

        await write(new ExecutionResult { Executed = true, Data = new Dictionary<string, object?> { [responseName] = rendered } });
        return true;
    }

    /// <summary>One row as the serializer writes a row object of field nodes.</summary>
    [JsonConverter(typeof(RenderedRowConverter))]
    internal sealed record RenderedRow(RowListNode.Column[] Columns, object?[] Values);

    internal sealed class RenderedRowConverter : JsonConverter<RenderedRow>
    {
        public override RenderedRow Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, RenderedRow value, JsonSerializerOptions options) =>
            RowListNode.WriteObject(writer, value.Columns, value.Values, options);
    }
}
