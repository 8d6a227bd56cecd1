using DataOpen.Api.Rows;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using GraphQL;
using GraphQL.Types;

namespace DataOpen.Api.GraphQL;

/// <summary>
/// One row by key: <c>&lt;dataset&gt;ByKey(...)</c> (one non-null argument per field of the declared primaryKey, only where
/// the current version has one) and <c>&lt;dataset&gt;ByRowId(rowId:)</c> (the row position, every dataset). Both are one
/// lookup through the shared engine (<see cref="RowKeys"/>), on the unique key index or the _row_id primary key, and
/// answer null when no row has that key.
/// </summary>
internal sealed partial class RowTypes
{
    /// <summary>The row type's field carrying the row position (none when a column already has that name).</summary>
    private const string RowIdField = "rowId";

    private void AddRowIdField()
    {
        if (!fields.Any(f => f.Name == RowIdField))
        {
            row.AddField(Gql.Field(RowIdField, Gql.NonNull(c.BigInt), "Row position in the source file: unique and stable within a version; look a row up with ByRowId.",
                x => ((RowValue)x.Source!).Get(TableShape.RowIdColumn)));
        }
    }

    private void AddKeyRootFields(ObjectGraphType query, HashSet<string> usedRootNames, string camel, string restricted)
    {
        var key = RowKeys.DeclaredKey(dataset.Current!);
        if (key.Count > 0)
        {
            var names = key.Select(f => f.Name).ToList();
            var args = key.Select(f => Gql.Arg(f.Name, Gql.NonNull(c.For(f.Type)), $"Key field {f.Name}.")).ToList();
            if (!names.Contains("version"))
            {
                args.Add(Gql.Arg("version", c.Int, "Read this published version instead of the current one (it must have the same key)."));
            }

            var byKey = Gql.AsyncField(Unique(camel + "ByKey", usedRootNames), row,
                $"One row of {dataset.Identifier} by its primaryKey ({string.Join(", ", names)}); null when none has it.{restricted}",
                ctx => LookupAsync(ctx, names, names.Select(n => ctx.GetArgument<object?>(n)).ToList()), [.. args]);
            if (!names.Contains("version"))
            {
                byKey.WithMetadata(KeyPlan.Metadata, new KeyLookupField((request, values, wanted, text, ct) =>
                    LookupAsync(request, values.GetValueOrDefault("version") as int?, names, names.Select(n => values.GetValueOrDefault(n)).ToList(), wanted, text, ct)));
            }

            query.AddField(byKey);
        }

        var byRowId = Gql.AsyncField(Unique(camel + "ByRowId", usedRootNames), row,
            $"One row of {dataset.Identifier} by its row position (rowId); null when there is none.{restricted}",
            ctx => LookupAsync(ctx, [TableShape.RowIdColumn], [ctx.GetArgument<object?>("rowId")]),
            Gql.Arg("rowId", Gql.NonNull(c.BigInt), "The row's rowId."),
            Gql.Arg("version", c.Int, "Read this published version instead of the current one."));
        byRowId.WithMetadata(KeyPlan.Metadata, new KeyLookupField((request, values, wanted, text, ct) =>
            LookupAsync(request, values.GetValueOrDefault("version") as int?, [TableShape.RowIdColumn], [values.GetValueOrDefault("rowId")], wanted, text, ct)));
        query.AddField(byRowId);
    }

    private async ValueTask<object?> LookupAsync(IResolveFieldContext ctx, List<string> names, List<object?> values)
    {
        var wanted = Selections.Fields(ctx.FieldAst.SelectionSet, ctx.Document).Select(f => f.Name.StringValue).ToHashSet(StringComparer.Ordinal);
        return await LookupAsync(Gql.Request(ctx), ctx.GetArgument<int?>("version"), names, values, wanted, ctx.Document.Source.ToString(), ctx.CancellationToken);
    }

    /// <summary>
    /// The lookup itself, for the resolver and for a planned operation (<see cref="KeyPlan"/>): the row with these key
    /// values in the current or <paramref name="pinned"/> version, with the columns of <paramref name="wanted"/> the caller may
    /// read; null when none has them. Errors are <see cref="ExecutionError"/>s in GraphQL's terms.
    /// </summary>
    private async ValueTask<RowValue?> LookupAsync(GraphQLRequestContext request, int? pinned, List<string> names, List<object?> values, IReadOnlySet<string> wanted, string queryText, CancellationToken ct)
    {
        try
        {
            var (version, allowed) = await PrepareAsync(request, pinned, ct);
            var byRowId = names[0] == TableShape.RowIdColumn;
            if (!byRowId && !RowKeys.KeyNames(version).SequenceEqual(names))
            {
                throw Gql.Error("BAD_USER_INPUT", $"Version {version.Version} of '{dataset.Identifier}' was published with another key ({string.Join(", ", RowKeys.KeyNames(version))}); look its rows up by rowId.",
                    new Dictionary<string, object?> { ["argument"] = "version" });
            }

            var select = fields.Select(f => f.Name).Where(wanted.Contains).ToList();
            CheckPinnedFields(version, select);
            if (select.Count == 0)
            {
                select = version.Shape.Fields.Where(f => allowed is null || allowed.Contains(f.Name)).Select(f => f.Name).Take(1).ToList();
            }

            var compiled = RowKeys.Lookup(version, names, select.Count == 0 ? null : select, allowed, 1)
                .Bind(values.Select(v => v is int i ? (long)i : v).ToList());
            var runner = request.Http.RequestServices.GetRequiredService<QueryRunner>();
            var page = await runner.PageAsync(compiled, ct);
            if (page.Rows.Count == 0)
            {
                return null;
            }

            await RecordServedAsync(request, version, 1, queryText, ct);
            return new RowValue(page.Rows[0], Index(compiled));
        }
        catch (QueryException ex)
        {
            throw Gql.FromQuery(ex);
        }
        catch (QueryTimeoutException ex)
        {
            throw Gql.Error("TIMEOUT", ex.Message);
        }
    }
}
