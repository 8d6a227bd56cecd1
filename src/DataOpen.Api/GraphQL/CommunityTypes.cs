using DataOpen.Api.Community;
using GraphQL;
using GraphQL.Types;

namespace DataOpen.Api.GraphQL;

/// <summary>Reuses (应用成果) and ratings (开放评价) in the schema: on every dataset and as a root list of published reuses.</summary>
internal sealed class CommunityTypes
{
    public const int MaxReuses = 100;

    private readonly CommonTypes c;
    private readonly ObjectGraphType reuse = new() { Name = "Reuse", Description = "A published reuse (应用成果): an application, analysis, visualisation, news story or research built on open datasets." };
    private readonly EnumerationGraphType kind = new() { Name = "ReuseKind", Description = "What a reuse is." };
    private readonly ObjectGraphType summary = new() { Name = "RatingSummary", Description = "A dataset's ratings (开放评价): 1 to 5 stars, one per key or visitor." };
    private readonly ObjectGraphType comment = new() { Name = "RatingComment", Description = "A visible comment with its stars and the steward's answer." };

    public CommunityTypes(CommonTypes common)
    {
        c = common;
        foreach (var k in ReuseKinds.All)
        {
            kind.Add(k.ToUpperInvariant(), k);
        }

        var s = c.String;
        reuse.AddField(Gql.Field("id", Gql.NonNull(c.BigInt), "Identifier; GET /api/v1/reuses/{id}.", x => R(x).Id));
        reuse.AddField(Gql.Field("title", Gql.NonNull(s), "Title.", x => R(x).Title));
        reuse.AddField(Gql.Field("description", Gql.NonNull(s), "What it does with the data.", x => R(x).Description));
        reuse.AddField(Gql.Field("kind", Gql.NonNull(kind), "Kind.", x => R(x).Kind));
        reuse.AddField(Gql.Field("url", Gql.NonNull(s), "Where it is.", x => R(x).Url));
        reuse.AddField(Gql.Field("imageUrl", s, "A picture of it.", x => R(x).ImageUrl));
        reuse.AddField(Gql.Field("datasets", Gql.ListOf(s), "Identifiers of the open datasets it uses.", x => R(x).Datasets));
        reuse.AddField(Gql.Field("submitter", Gql.NonNull(s), "Who made it, as they wish to be named.", x => R(x).Submitter));
        reuse.AddField(Gql.Field("submittedAt", Gql.NonNull(c.DateTime), "When it was submitted.", x => R(x).SubmittedAt));

        summary.AddField(Gql.Field("average", c.Float, "Mean stars; null before the first rating.", x => ((RatingSummary)x.Source!).Average));
        summary.AddField(Gql.Field("count", Gql.NonNull(c.Int), "Ratings.", x => ((RatingSummary)x.Source!).Count));
        summary.AddField(Gql.Field("distribution", Gql.ListOf(c.Int), "Ratings with 1, 2, 3, 4 and 5 stars.", x => ((RatingSummary)x.Source!).Distribution));

        comment.AddField(Gql.Field("stars", Gql.NonNull(c.Int), "Stars given.", x => ((RatingComment)x.Source!).Stars));
        comment.AddField(Gql.Field("comment", Gql.NonNull(s), "The comment.", x => ((RatingComment)x.Source!).Comment));
        comment.AddField(Gql.Field("updatedAt", Gql.NonNull(c.DateTime), "When it was last changed.", x => ((RatingComment)x.Source!).UpdatedAt));
        comment.AddField(Gql.Field("answer", s, "The steward's answer.", x => ((RatingComment)x.Source!).Answer));
        comment.AddField(Gql.Field("answeredAt", c.DateTime, "When the steward answered.", x => ((RatingComment)x.Source!).AnsweredAt));
    }

    /// <summary>Fields on the Dataset type.</summary>
    public void AddDatasetFields(ObjectGraphType dataset)
    {
        dataset.AddField(Gql.AsyncField("rating", Gql.NonNull(summary), "Ratings (开放评价): average, count and distribution.",
            async ctx => await Store<RatingStore>(ctx).SummaryAsync(Identifier(ctx), ctx.CancellationToken)));
        dataset.AddField(Gql.AsyncField("comments", Gql.ListOf(comment), "Visible comments, newest first.",
            async ctx => await Store<RatingStore>(ctx).CommentsAsync(Identifier(ctx), Limit(ctx, "first"), ctx.CancellationToken),
            Gql.Arg("first", c.Int, $"How many, 1 to {MaxReuses}.", 20)));
        dataset.AddField(Gql.AsyncField("reuses", Gql.ListOf(reuse), "Published reuses that use this dataset, newest first.",
            async ctx => await Store<ReuseStore>(ctx).PublishedAsync(Identifier(ctx), null, null, Limit(ctx, "first"), ctx.CancellationToken),
            Gql.Arg("first", c.Int, $"How many, 1 to {MaxReuses}.", 20)));
    }

    public void AddRootFields(ObjectGraphType query) =>
        query.AddField(Gql.AsyncField("reuses", Gql.ListOf(reuse), "Published reuses (应用成果), newest first, as GET /api/v1/reuses.",
            async ctx =>
            {
                var snapshot = Gql.Request(ctx).Model.Snapshot;
                var list = await Store<ReuseStore>(ctx).PublishedAsync(ctx.GetArgument<string?>("dataset"), ctx.GetArgument<string?>("kind"), null, Limit(ctx, "first"), ctx.CancellationToken);
                return list.Select(r => r.ServedIn(snapshot)).ToList();
            },
            Gql.Arg("dataset", c.String, "Only reuses of this dataset."),
            Gql.Arg("kind", kind, "Only this kind."),
            Gql.Arg("first", c.Int, $"How many, 1 to {MaxReuses}.", 20)));

    private static Reuse R(IResolveFieldContext x) => (Reuse)x.Source!;

    private static string Identifier(IResolveFieldContext ctx) => ((Catalog.DatasetEntry)ctx.Source!).Identifier;

    private static T Store<T>(IResolveFieldContext ctx)
        where T : notnull => Gql.Request(ctx).Http.RequestServices.GetRequiredService<T>();

    private static int Limit(IResolveFieldContext ctx, string argument)
    {
        var first = ctx.GetArgument(argument, 20);
        return first is >= 1 and <= MaxReuses ? first
            : throw Gql.Error("LIMIT_EXCEEDED", $"{argument} must be between 1 and {MaxReuses}; it was {first}.", new Dictionary<string, object?> { ["argument"] = argument });
    }
}
