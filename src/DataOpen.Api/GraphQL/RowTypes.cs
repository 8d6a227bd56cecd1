using System.Text;
using DataOpen.Api.Access;
using DataOpen.Api.Catalog;
using DataOpen.Api.Rows;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using GraphQL;
using GraphQL.Types;
using GraphQL.Validation.Complexity;
using FieldType = DataOpen.Core.Catalog.FieldType;

namespace DataOpen.Api.GraphQL;

/// <summary>
/// The typed part of the schema for one dataset: a row type (one field per column, Chinese label as
/// description), a filter input typed per column, an order input, a Relay connection and an aggregate
/// field; resolvers compile every request with the shared engine and run it on the reader.
/// </summary>
internal sealed partial class RowTypes
{
    private static readonly string[] ReservedEnumValues = ["true", "false", "null"];

    private readonly DatasetEntry dataset;
    private readonly IReadOnlyList<FieldInfo> fields;
    private readonly CommonTypes c;
    private readonly GraphQLLimits limits;
    private readonly Dictionary<string, string> filterColumns = new(StringComparer.Ordinal);
    private readonly ObjectGraphType row;
    private readonly InputObjectGraphType filter;
    private readonly EnumerationGraphType fieldEnum;
    private readonly InputObjectGraphType order;
    private readonly InputObjectGraphType groupOrder;
    private readonly ObjectGraphType edge;
    private readonly ObjectGraphType connection;
    private readonly ObjectGraphType group;
    private readonly string camel;
    private readonly HashSet<string> usedRootNames;

    public RowTypes(DatasetEntry dataset, CommonTypes common, FilterTypes filters, GraphQLLimits limits, HashSet<string> usedTypeNames, HashSet<string> usedRootNames)
    {
        this.dataset = dataset;
        fields = dataset.Current!.Shape.Fields;
        c = common;
        this.limits = limits;
        var pascal = UniqueTypeName(ODataNames.EntitySet(dataset.Identifier), usedTypeNames);
        var camel = char.ToLowerInvariant(pascal[0]) + pascal[1..];
        var rowsName = Unique(camel, usedRootNames);
        var aggregateName = Unique(camel + "Aggregate", usedRootNames);
        Names = new RowFieldNames(dataset.Identifier, pascal, rowsName, aggregateName);
        this.camel = camel;
        this.usedRootNames = usedRootNames;
        var title = dataset.Metadata.Title.Zh + (dataset.Metadata.Title.En is { } en ? " / " + en : "");

        row = new ObjectGraphType { Name = pascal, Description = $"A row of {title} ({dataset.Identifier})." };
        foreach (var f in fields)
        {
            var name = f.Name;
            row.AddField(Gql.Field(name, c.For(f.Type), Describe(f), x => ((RowValue)x.Source!).Get(name)));
        }

        AddRowIdField();

        fieldEnum = new EnumerationGraphType { Name = pascal + "Field", Description = $"Columns of {dataset.Identifier}." };
        foreach (var f in fields)
        {
            fieldEnum.Add(ReservedEnumValues.Contains(f.Name) ? f.Name + "_" : f.Name, f.Name, f.TitleZh);
        }

        filter = new InputObjectGraphType { Name = pascal + "Filter", Description = $"Row filter of {dataset.Identifier}: conditions on columns, all of which must hold; combine with and/or/not." };
        filter.AddField(new GraphQLFieldType("and", new ListGraphType(new NonNullGraphType(filter)), "Every filter must hold."));
        filter.AddField(new GraphQLFieldType("or", new ListGraphType(new NonNullGraphType(filter)), "At least one filter must hold."));
        filter.AddField(new GraphQLFieldType("not", filter, "The filter must not hold."));
        foreach (var f in fields)
        {
            // A column called and/or/not keeps its filter under name_ so the combinators stay.
            var key = f.Name is "and" or "or" or "not" ? f.Name + "_" : f.Name;
            filterColumns[key] = f.Name;
            filter.AddField(new GraphQLFieldType(key, filters.For(f.Type), Describe(f)));
        }

        order = new InputObjectGraphType { Name = pascal + "Order", Description = "One sort key. The row position is always the final tie-breaker, so pages are stable." };
        order.AddField(new GraphQLFieldType("field", new NonNullGraphType(fieldEnum), "Column."));
        order.AddField(new GraphQLFieldType("direction", c.SortDirection, "ASC (default) or DESC.", "asc"));

        edge = new ObjectGraphType { Name = pascal + "Edge", Description = "A row with its cursor." };
        edge.AddField(Gql.Field("cursor", Gql.NonNull(c.String), "Pass as after to continue after this row.", x => { var e = (RowEdge)x.Source!; return e.Query.CreateCursor(e.Row.Values); }));
        edge.AddField(Gql.Field("node", Gql.NonNull(row), "The row.", x => ((RowEdge)x.Source!).Row));

        connection = new ObjectGraphType { Name = pascal + "Connection", Description = $"A page of rows of {dataset.Identifier}." };
        connection.AddField(Gql.Field("totalCount", Gql.NonNull(c.Int), "Rows matching the filter (counted only when selected).", x => ToInt(((RowConnection)x.Source!).Total ?? 0)));
        connection.AddField(Gql.Field("edges", Gql.ListOf(edge), "Rows with cursors.", x => ((RowConnection)x.Source!).Edges).WithComplexityImpact(1, 1));
        connection.AddField(Gql.Field("nodes", Gql.ListOf(row), "Rows.", x => ((RowConnection)x.Source!).Rows).WithComplexityImpact(1, 1).WithMetadata(RowListNode.Metadata, true));
        connection.AddField(Gql.Field("pageInfo", Gql.NonNull(c.PageInfo), "Paging.", x => x.Source));

        groupOrder = new InputObjectGraphType { Name = pascal + "GroupOrder", Description = "Order groups by a grouped column (function omitted) or by an aggregate." };
        groupOrder.AddField(new GraphQLFieldType("field", fieldEnum, "Column (a groupBy column, or the aggregated column). Not needed for COUNT."));
        groupOrder.AddField(new GraphQLFieldType("function", c.AggregateFunction, "Aggregate to order by; omit to order by the grouped column."));
        groupOrder.AddField(new GraphQLFieldType("direction", c.SortDirection, "ASC (default) or DESC.", "asc"));

        group = new ObjectGraphType { Name = pascal + "Group", Description = $"One group of rows of {dataset.Identifier} with its aggregates." };
        group.AddField(Gql.Field("key", Gql.NonNull(row), "Values of the groupBy columns (other columns are null).", x => ((RowValue)x.Source!)));
        group.AddField(Gql.Field("count", Gql.NonNull(c.Int), "Rows in the group.", x => ToInt(Convert.ToInt64(((RowValue)x.Source!).Get("#count"), System.Globalization.CultureInfo.InvariantCulture))));
        AddAggregateType("sum", "Sum", "Sums of numeric columns (integer sums are BigInt).", f => f.Type.IsNumeric(), f => f.Type switch
        {
            FieldType.Integer => c.BigInt,
            FieldType.Double => c.Float,
            _ => c.Decimal,
        });
        AddAggregateType("avg", "Avg", "Averages of numeric columns.", f => f.Type.IsNumeric(), f => f.Type == FieldType.Double ? c.Float : c.Decimal);
        var minMax = AggregateObject("MinMax", "Smallest or largest values.", f => f.Type != FieldType.Boolean, f => c.For(f.Type));
        if (minMax is not null)
        {
            group.AddField(Gql.Field("min", Gql.NonNull(minMax), "Smallest values.", x => new AggregateView((RowValue)x.Source!, "min.")));
            group.AddField(Gql.Field("max", Gql.NonNull(minMax), "Largest values.", x => new AggregateView((RowValue)x.Source!, "max.")));
        }
    }

    public RowFieldNames Names { get; }

    public void AddRootFields(ObjectGraphType query)
    {
        var title = dataset.Metadata.Title.Zh;
        var restricted = dataset.OpenClass == OpenClasses.Conditional ? " Conditionally open (有条件开放): rows need an approved application." : "";
        var rowsField = Gql.AsyncField(Names.Rows, connection, $"Rows of {title} ({dataset.Identifier}).{restricted}", RowsAsync,
            Gql.Arg("filter", filter, "Conditions on columns."),
            Gql.Arg("orderBy", new ListGraphType(new NonNullGraphType(order)), "Sort keys, most significant first."),
            Gql.Arg("first", c.Int, $"Rows per page, 0 to {limits.MaxPageSize}.", limits.DefaultPageSize),
            Gql.Arg("after", c.String, "endCursor (or an edge cursor) of the previous page."),
            Gql.Arg("version", c.Int, "Read this published version instead of the current one."));
        rowsField.WithComplexityImpact(x => new FieldComplexityResult(1, Math.Clamp(x.GetArgument("first", limits.DefaultPageSize), 1, limits.MaxPageSize)));
        query.AddField(rowsField);

        var aggregateField = Gql.AsyncField(Names.Aggregate, Gql.ListOf(group), $"Groups and aggregates of {title} ({dataset.Identifier}): count, sum, avg, min, max per group.{restricted}", AggregateAsync,
            Gql.Arg("filter", filter, "Rows to aggregate."),
            Gql.Arg("groupBy", new ListGraphType(new NonNullGraphType(fieldEnum)), "Columns to group by; none gives one group of every matching row."),
            Gql.Arg("orderBy", new ListGraphType(new NonNullGraphType(groupOrder)), "Order of groups; default: by the groupBy columns."),
            Gql.Arg("first", c.Int, $"Groups to return, 0 to {limits.MaxPageSize}.", limits.DefaultPageSize),
            Gql.Arg("offset", c.Int, "Groups to skip.", 0),
            Gql.Arg("version", c.Int, "Aggregate this published version instead of the current one."));
        aggregateField.WithComplexityImpact(x => new FieldComplexityResult(1, Math.Clamp(x.GetArgument("first", limits.DefaultPageSize), 1, limits.MaxPageSize)));
        query.AddField(aggregateField);
        AddKeyRootFields(query, usedRootNames, camel, restricted);
    }

    private async ValueTask<object?> RowsAsync(IResolveFieldContext ctx)
    {
        try
        {
            var request = Gql.Request(ctx);
            var (version, allowed) = await PrepareAsync(request, ctx.GetArgument<int?>("version"), ctx.CancellationToken);
            var first = PageSize(ctx);
            var set = ctx.FieldAst.SelectionSet;
            var doc = ctx.Document;
            var wanted = Selections.NamesUnder(set, doc, "edges", "node");
            wanted.UnionWith(Selections.NamesUnder(set, doc, "nodes"));
            var top = Selections.Fields(set, doc).Select(f => f.Name.StringValue).ToHashSet(StringComparer.Ordinal);
            var needRows = top.Contains("edges") || top.Contains("nodes") || top.Contains("pageInfo");

            var select = fields.Select(f => f.Name).Where(wanted.Contains).ToList();
            CheckPinnedFields(version, select);
            if (select.Count == 0)
            {
                // Only cursors or pageInfo asked for: the engine needs one column; take the first the caller may read
                // (none readable: leave select to the engine, which says so).
                select = version.Shape.Fields.Where(f => allowed is null || allowed.Contains(f.Name)).Select(f => f.Name).Take(1).ToList();
            }

            var rowQuery = new RowQuery(version.Shape)
            {
                Filter = FilterTranslator.Translate(ctx.GetArgument<object?>("filter"), filterColumns),
                OrderBy = Order(ctx.GetArgument<object?>("orderBy")),
                Select = select.Count == 0 ? null : select,
                AllowedFields = allowed,
                Limit = first,
                After = ctx.GetArgument<string?>("after"),
            };
            var runner = request.Http.RequestServices.GetRequiredService<QueryRunner>();
            var compiled = QueryCompiler.Default.Compile(rowQuery);
            long? total = null;
            if (top.Contains("totalCount"))
            {
                total = await runner.CountAsync(QueryCompiler.Default.CompileCount(rowQuery), ctx.CancellationToken);
            }

            if (!needRows)
            {
                return new RowConnection([], compiled, false, rowQuery.After is not null, total);
            }

            var page = await runner.PageAsync(compiled, ctx.CancellationToken);
            await RecordServedAsync(request, version, page.Rows.Count, ctx.Document.Source.ToString(), ctx.CancellationToken);
            var index = Index(compiled);
            return new RowConnection(page.Rows.Select(r => new RowValue(r, index)).ToList(), compiled, page.HasMore, rowQuery.After is not null, total);
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

    /// <summary>Usage and, for conditional data, the audit log: the operation's text is the query recorded.</summary>
    private ValueTask RecordServedAsync(GraphQLRequestContext request, VersionInfo version, long rows, string queryText, CancellationToken ct) =>
        request.Http.RequestServices.GetRequiredService<IDatasetAccess>()
            .RecordServedAsync(request.Http, dataset, version.Version, Doors.GraphQL, queryText, rows, ct);

    /// <summary>Access rule, the fields it allows (null: all) and version: the same decision every door asks for.</summary>
    private async ValueTask<(VersionInfo Version, IReadOnlySet<string>? Allowed)> PrepareAsync(GraphQLRequestContext request, int? pinned, CancellationToken ct)
    {
        var access = request.Http.RequestServices.GetRequiredService<IDatasetAccess>();
        var decision = await access.AuthorizeRowsAsync(request.Http, dataset, "graphql", ct);
        switch (decision.Outcome)
        {
            case AccessOutcome.NeedsGrant:
                throw Gql.Error("FORBIDDEN", decision.Message ?? $"Rows of '{dataset.Identifier}' need a grant.",
                    new Dictionary<string, object?> { ["dataset"] = dataset.Identifier, ["applyUrl"] = decision.ApplyUrl });
            case AccessOutcome.Hidden:
                throw Gql.Error("NOT_FOUND", decision.Message ?? $"No dataset '{dataset.Identifier}' is published.", new Dictionary<string, object?> { ["dataset"] = dataset.Identifier });
        }

        var version = pinned is int n
            ? dataset.FindVersion(n) ?? throw Gql.Error("NOT_FOUND", $"Dataset '{dataset.Identifier}' has no version {n}; versions: {string.Join(", ", dataset.Versions.Select(v => v.Version))}.",
                new Dictionary<string, object?> { ["argument"] = "version" })
            : dataset.Current!;
        return (version, decision.Fields);
    }

    /// <summary>The row type follows the current version; an older version must have each selected column with the same type.</summary>
    private void CheckPinnedFields(VersionInfo version, IEnumerable<string> names)
    {
        if (ReferenceEquals(version, dataset.Current))
        {
            return;
        }

        foreach (var name in names)
        {
            var current = fields.First(f => f.Name == name);
            if (!version.Shape.TryGetField(name, out var old))
            {
                throw new QueryException(QueryErrorCodes.UnknownField, $"Version {version.Version} of '{dataset.Identifier}' has no column '{name}'; its columns: {string.Join(", ", version.Shape.Fields.Select(f => f.Name))}.", "version");
            }

            if (old.Type != current.Type)
            {
                throw new QueryException(QueryErrorCodes.TypeMismatch, $"Column '{name}' is {old.Type.ToName()} in version {version.Version} of '{dataset.Identifier}' but {current.Type.ToName()} in the current schema; query it through the REST API.", "version");
            }
        }
    }

    private int PageSize(IResolveFieldContext ctx)
    {
        var first = ctx.GetArgument("first", limits.DefaultPageSize);
        return first < 0 || first > limits.MaxPageSize
            ? throw Gql.Error("LIMIT_EXCEEDED", $"first must be between 0 and {limits.MaxPageSize}; it was {first}. Page with after (the endCursor) to read more.", new Dictionary<string, object?> { ["argument"] = "first", ["max"] = limits.MaxPageSize })
            : first;
    }

    private static List<SortKey> Order(object? input) =>
        Items(input).Select(o => (IDictionary<string, object?>)o!)
            .Select(o => new SortKey((string)o["field"]!, o.TryGetValue("direction", out var d) && d as string == "desc"))
            .ToList();

    private static IEnumerable<object?> Items(object? value) => value switch
    {
        null => [],
        System.Collections.IEnumerable list and not string and not IDictionary<string, object?> => list.Cast<object?>(),
        _ => [value],
    };

    private static Dictionary<string, int> Index(CompiledQuery compiled)
    {
        var index = new Dictionary<string, int>(compiled.Columns.Count, StringComparer.Ordinal);
        for (var i = 0; i < compiled.Columns.Count; i++)
        {
            index.TryAdd(compiled.Columns[i].Name, i);
        }

        return index;
    }

    private static int ToInt(long value) => value <= int.MaxValue
        ? (int)value
        : throw Gql.Error("LIMIT_EXCEEDED", $"The count {value} exceeds GraphQL's 32-bit Int; use the REST API's count.");

    private static string? Describe(FieldInfo f)
    {
        var sb = new StringBuilder();
        if (f.TitleZh is not null)
        {
            sb.Append(f.TitleZh);
            if (f.TitleEn is not null)
            {
                sb.Append(" / ").Append(f.TitleEn);
            }
        }

        if (f.Unit is not null)
        {
            sb.Append(sb.Length > 0 ? " " : "").Append('(').Append(f.Unit).Append(')');
        }

        if (f.Description is not null)
        {
            sb.Append(sb.Length > 0 ? ". " : "").Append(f.Description);
        }

        return sb.Length == 0 ? null : sb.ToString();
    }

    private static string UniqueTypeName(string pascal, HashSet<string> used)
    {
        string[] suffixes = ["", "Field", "Filter", "Order", "Edge", "Connection", "Group", "GroupOrder", "Sum", "Avg", "MinMax"];
        var candidate = pascal;
        for (var n = 2; suffixes.Any(s => used.Contains(candidate + s)); n++)
        {
            candidate = pascal + "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var s in suffixes)
        {
            used.Add(candidate + s);
        }

        return candidate;
    }

    private static string Unique(string name, HashSet<string> used)
    {
        var candidate = name;
        for (var n = 2; !used.Add(candidate); n++)
        {
            candidate = name + "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return candidate;
    }
}
