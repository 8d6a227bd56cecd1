using DataOpen.Api.Quality;
using GraphQL;
using GraphQL.Types;

namespace DataOpen.Api.GraphQL;

/// <summary>The data quality report (数据质量) of a dataset's current version on the Dataset type, as GET /api/v1/datasets/{id}/quality.</summary>
internal sealed class QualityTypes
{
    private readonly ObjectGraphType report = new() { Name = "QualityReport", Description = "The quality report of one version: the score from 0 to 100 and every check." };
    private readonly ObjectGraphType check = new() { Name = "QualityCheck", Description = "One quality check: its score (null when it does not apply), weight, result and how to fix it." };

    public QualityTypes(CommonTypes c)
    {
        var s = c.String;
        report.AddField(Gql.Field("score", Gql.NonNull(c.Float), "Weighted score, 0 to 100.", x => ((QualityReport)x.Source!).Score));
        report.AddField(Gql.Field("version", Gql.NonNull(c.Int), "The version scored.", x => ((QualityReport)x.Source!).Version));
        report.AddField(Gql.Field("computedAt", Gql.NonNull(c.DateTime), "When it was computed (at publish).", x => ((QualityReport)x.Source!).ComputedAt));
        report.AddField(Gql.Field("checks", Gql.ListOf(check), "Every check.", x => ((QualityReport)x.Source!).Checks));
        check.AddField(Gql.Field("id", Gql.NonNull(s), "Check id (metadata, fieldDocs, formats, licence, schedule, nulls, valueDomain, types, …).", x => ((QualityCheck)x.Source!).Id));
        check.AddField(Gql.Field("score", c.Float, "0 (fails) to 1 (passes); null when the check does not apply.", x => ((QualityCheck)x.Source!).Score));
        check.AddField(Gql.Field("weight", Gql.NonNull(c.Int), "Weight in the score.", x => ((QualityCheck)x.Source!).Weight));
        check.AddField(Gql.Field("detail", Gql.NonNull(s), "The result in Chinese.", x => ((QualityCheck)x.Source!).Detail.Zh));
        check.AddField(Gql.Field("detailEn", s, "The result in English.", x => ((QualityCheck)x.Source!).Detail.En));
        check.AddField(Gql.Field("fix", s, "How to fix it, in Chinese.", x => ((QualityCheck)x.Source!).Fix?.Zh));
        check.AddField(Gql.Field("fixEn", s, "How to fix it, in English.", x => ((QualityCheck)x.Source!).Fix?.En));
    }

    public void AddDatasetFields(ObjectGraphType dataset) =>
        dataset.AddField(Gql.AsyncField("quality", report, "The data quality report (数据质量) of the current version; null while it is being computed.",
            async ctx =>
            {
                var d = (Catalog.DatasetEntry)ctx.Source!;
                return d.Current is null ? null
                    : await Gql.Request(ctx).Http.RequestServices.GetRequiredService<QualityService>().FindAsync(d, d.Current.Version, ctx.CancellationToken);
            }));
}
