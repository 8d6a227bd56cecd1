using System.Text.Json;
using System.Text.Json.Serialization;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Types;
using GraphQLParser.AST;
using ExecutionContext = GraphQL.Execution.ExecutionContext;

namespace DataOpen.Api.GraphQL;

/// <summary>
/// A page's <c>nodes</c> as one execution node. GraphQL.NET resolves every column of every row as a node of its
/// own (a page of 100 rows × 9 columns is 900 resolver calls, 900 nodes and 900 serializer calls), which cost
/// more than the query. When the selection under <c>nodes</c> is only columns of the row type — fields without
/// arguments, directives or fragments, each response name once — the whole list is one node: each value goes
/// through its column's scalar (the same <see cref="ScalarGraphType.Serialize"/> as a field node) and is written
/// under its response name, in selection order, as the serializer writes a field node. Any other selection
/// (fragments, <c>@skip</c>, <c>__typename</c>, aliases used twice) takes GraphQL.NET's own path.
/// </summary>
internal sealed class RowListNode(ExecutionNode parent, IGraphType graphType, GraphQLField field, FieldType fieldDefinition, int? indexInParentNode, RowListNode.Column[] columns)
    : ExecutionNode(parent, graphType, field, fieldDefinition, indexInParentNode)
{
    /// <summary>Marks the <c>nodes</c> field of a connection: its value is the list of <see cref="RowValue"/> of the row type.</summary>
    public const string Metadata = "dataopen.rowList";

    /// <summary>One selected column: the response name, the column and its scalar.</summary>
    internal sealed record Column(JsonEncodedText ResponseName, string Name, ScalarGraphType Scalar);

    /// <summary>The serialized values, row by row in selection order, once completed.</summary>
    private object?[][]? values;

    /// <summary>The node for <paramref name="field"/> when its selection is plain columns of the row type; null otherwise.</summary>
    public static RowListNode? TryCreate(ExecutionNode parent, IGraphType graphType, GraphQLField field, FieldType fieldDefinition, int? indexInParentNode)
    {
        if (!fieldDefinition.HasMetadata(Metadata) || field.Directives is { Count: > 0 } || field.SelectionSet is not { } set
            || graphType.GetNamedType() is not IObjectGraphType row)
        {
            return null;
        }

        var columns = new Column[set.Selections.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Length; i++)
        {
            if (PlainColumn(set.Selections[i], row, names) is not { } column)
            {
                return null;
            }

            columns[i] = column;
        }

        return new RowListNode(parent, graphType, field, fieldDefinition, indexInParentNode, columns);
    }

    /// <summary>
    /// <paramref name="selection"/> as a column of <paramref name="row"/>: a field without directives, arguments or
    /// selection, of a nullable scalar type, whose response name is not among <paramref name="names"/> (it is added); else null.
    /// </summary>
    internal static Column? PlainColumn(ASTNode selection, IObjectGraphType row, HashSet<string> names)
    {
        if (selection is not GraphQLField f || f.Directives is { Count: > 0 } || f.Arguments is { Count: > 0 } || f.SelectionSet is not null
            || row.GetField(f.Name.Value) is not { ResolvedType: var type } || type?.GetNamedType() is not ScalarGraphType scalar || type is NonNullGraphType)
        {
            return null;
        }

        var responseName = (f.Alias?.Name ?? f.Name).StringValue;
        return names.Add(responseName) ? new Column(JsonEncodedText.Encode(responseName, GraphQLExecutor.Encoder), f.Name.StringValue, scalar) : null;
    }

    /// <summary>One row's serialized values as a JSON object under the columns' response names, as the serializer writes a field node.</summary>
    internal static void WriteObject(Utf8JsonWriter writer, Column[] columns, object?[] values, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        for (var c = 0; c < columns.Length; c++)
        {
            writer.WritePropertyName(columns[c].ResponseName);
            switch (values[c])
            {
                case null: writer.WriteNullValue(); break;
                case string s: writer.WriteStringValue(s); break;
                case int i: writer.WriteNumberValue(i); break;
                case long l: writer.WriteNumberValue(l); break;
                case bool b: writer.WriteBooleanValue(b); break;
                case var other: JsonSerializer.Serialize(writer, other, options); break;
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>Runs every value through its scalar, as the field nodes would; a scalar's error becomes this field's error.</summary>
    public void Complete()
    {
        if (Result is not IReadOnlyList<RowValue> rows)
        {
            return;
        }

        var all = new object?[rows.Count][];
        for (var r = 0; r < all.Length; r++)
        {
            var row = new object?[columns.Length];
            for (var c = 0; c < columns.Length; c++)
            {
                row[c] = columns[c].Scalar.Serialize(rows[r].Get(columns[c].Name));
            }

            all[r] = row;
        }

        values = all;
    }

    public override object? ToValue() => Result is null ? null : new Rendered(columns, values ?? []);

    public override bool PropagateNull() => Result is null;

    /// <summary>The rows as the serializer writes them: an array of objects.</summary>
    [JsonConverter(typeof(RenderedConverter))]
    internal sealed record Rendered(Column[] Columns, object?[][] Values);

    internal sealed class RenderedConverter : JsonConverter<Rendered>
    {
        public override Rendered Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, Rendered value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var row in value.Values)
            {
                WriteObject(writer, value.Columns, row, options);
            }

            writer.WriteEndArray();
        }
    }
}

/// <summary>GraphQL.NET's serial strategy, with a connection's <c>nodes</c> as one <see cref="RowListNode"/> where it can be.</summary>
internal sealed class RowsExecutionStrategy : SerialExecutionStrategy
{
    public static new readonly RowsExecutionStrategy Instance = new();

    protected override ExecutionNode BuildExecutionNode(ExecutionNode parent, IGraphType graphType, GraphQLField field, FieldType fieldDefinition, int? indexInParentNode = null) =>
        (ExecutionNode?)RowListNode.TryCreate(parent, graphType, field, fieldDefinition, indexInParentNode)
        ?? base.BuildExecutionNode(parent, graphType, field, fieldDefinition, indexInParentNode);

    protected override async Task CompleteNodeAsync(ExecutionContext context, ExecutionNode node)
    {
        await base.CompleteNodeAsync(context, node);
        if (node is RowListNode rows)
        {
            try
            {
                rows.Complete();
            }
            catch (ExecutionError error)
            {
                SetNodeError(context, node, error);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (await ProcessNodeUnhandledExceptionAsync(context, node, ex))
                {
                    throw;
                }
            }
        }
    }
}
