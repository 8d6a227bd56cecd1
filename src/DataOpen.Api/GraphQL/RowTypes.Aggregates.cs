using DataOpen.Api.Rows;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using GraphQL;
using GraphQL.Types;

namespace DataOpen.Api.GraphQL;

internal sealed partial class RowTypes
{
    private void AddAggregateType(string function, string suffix, string description, Func<FieldInfo, bool> include, Func<FieldInfo, IGraphType> type)
    {
        var obj = AggregateObject(suffix, description, include, type);
        if (obj is not null)
        {
            group.AddField(Gql.Field(function, Gql.NonNull(obj), description, x => new AggregateView((RowValue)x.Source!, function + ".")));
        }
    }

    /// <summary>An object with one field per eligible column; null when no column qualifies (an object type needs a field).</summary>
    private ObjectGraphType? AggregateObject(string suffix, string description, Func<FieldInfo, bool> include, Func<FieldInfo, IGraphType> type)
    {
        var eligible = fields.Where(include).ToList();
        if (eligible.Count == 0)
        {
            return null;
        }

        var obj = new ObjectGraphType { Name = Names.TypeName + suffix, Description = description };
        foreach (var f in eligible)
        {
            var name = f.Name;
            obj.AddField(Gql.Field(name, type(f), Describe(f), x => { var v = (AggregateView)x.Source!; return v.Group.Get(v.Prefix + name); }));
        }

        return obj;
    }

    private async ValueTask<object?> AggregateAsync(IResolveFieldContext ctx)
    {
        try
        {
            var request = Gql.Request(ctx);
            var (version, allowed) = await PrepareAsync(request, ctx.GetArgument<int?>("version"), ctx.CancellationToken);
            var first = PageSize(ctx);
            var offset = ctx.GetArgument("offset", 0);
            var doc = ctx.Document;
            var set = ctx.FieldAst.SelectionSet;
            var groupBy = (ctx.GetArgument<List<object>?>("groupBy") ?? []).Cast<string>().ToList();
            var keyFields = Selections.NamesUnder(set, doc, "key");
            var notGrouped = keyFields.Where(k => k != "__typename" && !groupBy.Contains(k)).ToList();
            if (notGrouped.Count > 0)
            {
                throw new QueryException(QueryErrorCodes.BadValue, $"key.{notGrouped[0]} is selected but not grouped; add it to groupBy.", "groupBy");
            }

            var aggregates = new List<Aggregate>();
            var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
            string AliasFor(AggregateFunction function, string? field)
            {
                // Keys and aliases start with characters no column name can start with, so they never meet a group key.
                var key = function == AggregateFunction.Count ? "#count" : $"{Prefix(function)}.{field}";
                if (!aliases.TryGetValue(key, out var alias))
                {
                    alias = "_a" + aliases.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    aliases[key] = alias;
                    aggregates.Add(new Aggregate(function, function == AggregateFunction.Count ? null : field, alias));
                }

                return alias;
            }

            AliasFor(AggregateFunction.Count, null);
            foreach (var (name, function) in new[] { ("sum", AggregateFunction.Sum), ("avg", AggregateFunction.Avg), ("min", AggregateFunction.Min), ("max", AggregateFunction.Max) })
            {
                foreach (var f in Selections.NamesUnder(set, doc, name).Where(n => n != "__typename").Order(StringComparer.Ordinal))
                {
                    AliasFor(function, f);
                }
            }

            var orderBy = new List<SortKey>();
            foreach (var item in Items(ctx.GetArgument<object?>("orderBy")))
            {
                var o = (IDictionary<string, object?>)item!;
                var field = o.TryGetValue("field", out var fv) ? fv as string : null;
                var descending = o.TryGetValue("direction", out var dv) && dv as string == "desc";
                if (o.TryGetValue("function", out var fn) && fn is AggregateFunction function)
                {
                    if (function != AggregateFunction.Count && field is null)
                    {
                        throw new QueryException(QueryErrorCodes.BadValue, $"orderBy with function {function.ToString().ToUpperInvariant()} needs a field.", "orderBy");
                    }

                    orderBy.Add(new SortKey(AliasFor(function, field), descending));
                }
                else
                {
                    if (field is null || !groupBy.Contains(field))
                    {
                        throw new QueryException(QueryErrorCodes.BadValue, $"orderBy without a function orders by a grouped column; '{field}' is not in groupBy.", "orderBy");
                    }

                    orderBy.Add(new SortKey(field, descending));
                }
            }

            CheckPinnedFields(version, groupBy);
            var rowQuery = new RowQuery(version.Shape)
            {
                Filter = FilterTranslator.Translate(ctx.GetArgument<object?>("filter"), filterColumns),
                GroupBy = groupBy,
                Aggregates = aggregates,
                OrderBy = orderBy,
                Limit = first,
                Offset = offset,
                AllowedFields = allowed,
            };
            var compiled = QueryCompiler.Default.Compile(rowQuery);
            var page = await request.Http.RequestServices.GetRequiredService<QueryRunner>().PageAsync(compiled, ctx.CancellationToken);
            await RecordServedAsync(request, version, page.Rows.Count, ctx.Document.Source.ToString(), ctx.CancellationToken);
            // Output columns are the group keys by name and the aggregates by alias; views read them as "sum.pm2_5".
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < compiled.Columns.Count; i++)
            {
                index[compiled.Columns[i].Name] = i;
            }

            foreach (var (key, alias) in aliases)
            {
                index[key] = index[alias];
            }

            return page.Rows.Select(r => new RowValue(r, index)).ToList();
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

    private static string Prefix(AggregateFunction function) => function switch
    {
        AggregateFunction.Sum => "sum",
        AggregateFunction.Avg => "avg",
        AggregateFunction.Min => "min",
        AggregateFunction.Max => "max",
        _ => "count",
    };
}
