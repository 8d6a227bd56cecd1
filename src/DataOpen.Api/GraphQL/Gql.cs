using DataOpen.Core.Query;
using GraphQL;
using GraphQL.Resolvers;
using GraphQL.Types;

namespace DataOpen.Api.GraphQL;

/// <summary>Small helpers to declare fields and arguments on graph types built at run time.</summary>
internal static class Gql
{
    public static FieldType Field(string name, IGraphType type, string? description, Func<IResolveFieldContext, object?> resolve, params QueryArgument[] args) => new()
    {
        Name = name,
        ResolvedType = type,
        Description = description,
        Resolver = new FuncFieldResolver<object?>(resolve),
        Arguments = args.Length == 0 ? null : new QueryArguments(args),
    };

    public static FieldType AsyncField(string name, IGraphType type, string? description, Func<IResolveFieldContext, ValueTask<object?>> resolve, params QueryArgument[] args) => new()
    {
        Name = name,
        ResolvedType = type,
        Description = description,
        Resolver = new FuncFieldResolver<object?>(resolve),
        Arguments = args.Length == 0 ? null : new QueryArguments(args),
    };

    public static QueryArgument Arg(string name, IGraphType type, string? description, object? defaultValue = null) =>
        new(type) { Name = name, Description = description, DefaultValue = defaultValue };

    public static NonNullGraphType NonNull(IGraphType type) => new(type);

    public static ListGraphType List(IGraphType type) => new(type);

    /// <summary>[T!]!</summary>
    public static NonNullGraphType ListOf(IGraphType type) => new(new ListGraphType(new NonNullGraphType(type)));

    public static GraphQLRequestContext Request(IResolveFieldContext ctx) => (GraphQLRequestContext)ctx.UserContext;

    public static ExecutionError Error(string code, string message, IDictionary<string, object?>? data = null)
    {
        var error = new ExecutionError(message) { Code = code };
        foreach (var (k, v) in data ?? new Dictionary<string, object?>())
        {
            error.Data[k] = v;
        }

        return error;
    }

    /// <summary>A query-engine error as a GraphQL error: the engine's code upper-cased (UNKNOWN_FIELD, TYPE_MISMATCH…) and where it happened.</summary>
    public static ExecutionError FromQuery(QueryException ex)
    {
        var data = new Dictionary<string, object?>();
        if (ex.Target is not null)
        {
            data["target"] = ex.Target;
        }

        if (ex.Position is not null)
        {
            data["position"] = ex.Position;
        }

        if (ex.Suggestions.Count > 0)
        {
            data["suggestions"] = ex.Suggestions.ToArray();
        }

        if (ex.Field is not null)
        {
            data["field"] = ex.Field;
        }

        return Error(ex.Code.ToUpperInvariant(), ex.Message, data);
    }
}
