using DataOpen.Core.Catalog;
using DataOpen.Disclosure.Suppression;
using DataOpen.Disclosure.Tables;

namespace DataOpen.Api.Statistics;

/// <summary>The published form of a protected statistical table: its dataset.json and its CSV. Nothing here may
/// mention the disclosure parameters: the method is described, the thresholds are not.</summary>
public static class StatisticsDatasets
{
    public const string IdentifierPrefix = "policy-stats-";
    public const string Publisher = "statistics";
    public const string StatusColumn = "status";
    public const string ValueColumn = "value";

    /// <summary>Bumped when the metadata written here changes, so the start-up cache republishes it.</summary>
    public const int MetadataRevision = 1;

    public static string Identifier(string tableId) => IdentifierPrefix + tableId.Replace('_', '-');

    private static readonly string[] TrackCodes =
        ["biomedicine", "photonics", "digital-economy", "new-materials", "advanced-manufacturing", "aerospace", "new-energy-vehicles"];

    public static DatasetDefinition Definition(TableDefinition table, string fileName)
    {
        ArgumentNullException.ThrowIfNull(table);
        var person = table.Unit == UnitKind.Person;
        var count = table.Measure.Kind == MeasureKind.CountContributors;
        var (domain, subject, subjectZh, subjectEn) = table.Source switch
        {
            "talents" => ((IReadOnlyList<string>)["employment", "science"], "talent", "人才认定", "talent recognition"),
            "soft_regulation" => (["economy", "public-service"], "policy-services", "包容审慎监管", "lenient regulation"),
            "matching" => (["economy", "finance"], "enterprise-support", "重大项目配套", "project matching"),
            _ => (["economy", "finance"], "enterprise-support", "惠企补助", "enterprise grants"),
        };
        var titleZh = table.Title ?? table.Id;
        var titleEn = "Policy statistics: " + table.Id.Replace('_', ' ');
        var dims = string.Join("、", table.Dimensions.Select(d => Split(d.Title, d.Name).Zh));
        var dimsEn = string.Join(", ", table.Dimensions.Select(d => Split(d.Title, d.Name).En));
        var descriptionZh =
            $"《长春新区关于支持数实融合新赛道发展的若干政策措施》执行情况统计：{titleZh}，按{dims}分组，含各级合计（合计记为 _T）。" +
            $"本表由区内保密的单项记录（{(person ? "个人" : "企业")}层面，不公开）汇总而成。为依法保护单个{(person ? "个人" : "企业")}的信息，" +
            $"涉及的{(person ? "人数" : "企业数")}过少{(count ? "" : "或数额主要来自一两家企业")}的单元格不予公布；另有少量单元格一并不予公布，" +
            "使被隐藏的数值无法由已公布的单元格和合计（包括与本系列其他表共享的合计）推算或缩小到过窄的范围。" +
            "所有不予公布的单元格数值为空，status 列标记为 C，不区分原因。每次发布前，平台对每个隐藏单元格求解其可被推算的最小值和最大值，" +
            "只有全部足够宽时才发布。本数据为平台演示用合成样例数据（synthetic sample data），由确定性程序生成，不代表真实统计。";
        var descriptionEn =
            $"How the district's digital-real integration policy is carried out: {titleEn}, by {dimsEn}, with all totals (coded _T). " +
            $"Aggregated from confidential {(person ? "person" : "enterprise")}-level records that are never published. To protect every single " +
            $"{(person ? "person" : "enterprise")}, cells with too few contributors{(count ? "" : " or dominated by one or two enterprises")} are withheld, " +
            "and a few more cells are withheld with them so that no hidden value can be recomputed, or narrowed too far, from the published cells and " +
            "totals (including totals shared with the other tables of this series). Every withheld cell has an empty value and status C, whatever the " +
            "reason. Before each release the platform computes the smallest and largest value each hidden cell could have and publishes only when every " +
            "range is wide enough. Synthetic sample data generated deterministically for demonstrating the platform; not real statistics.";

        List<FieldSpec> fields =
        [
            .. table.Dimensions.Select(d =>
            {
                var (zh, en) = Split(d.Title, d.Name);
                return new FieldSpec(d.Name, Title: new Localized(zh, en), Type: "text", Required: true,
                    ValueDomain: d.Values is { Count: > 0 } v ? string.Join("、", v) + "、_T（合计 total）" : "_T = 合计 total");
            }),
            new FieldSpec(ValueColumn,
                Title: count ? new Localized(person ? "人数" : "企业数", person ? "Persons" : "Enterprises") : new Localized("金额", "Amount"),
                Description: "不予公布的单元格为空（status = C）。Empty when withheld (status C).",
                Type: count ? "integer" : "decimal", Unit: count ? (person ? "人" : "家") : "元"),
            new FieldSpec(StatusColumn, Title: new Localized("公布标记", "Status flag"), Type: "text",
                Description: "C：保密，不予公布；空：已公布。C: confidential, withheld; empty: published.", ValueDomain: "C 或空 (C or empty)"),
        ];

        return new DatasetDefinition(
            Identifier(table.Id),
            new Localized(titleZh, titleEn),
            new Localized(descriptionZh, descriptionEn),
            Publisher,
            new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
            {
                ["domain"] = domain,
                ["industry"] = TrackCodes,
                ["subject"] = [subject],
            },
            new LocalizedList(["政策统计", "数实融合", "新赛道", subjectZh, "统计披露控制"], ["policy statistics", "digital-real integration", "new tracks", subjectEn, "disclosure control"]),
            OpenClasses.Unconditional,
            "quarterly",
            "2026-01-15",
            "CC-BY-4.0",
            "general",
            new SourceSpec(fileName, "csv", "utf-8"),
            TemporalCoverage: new TemporalCoverage("2024-01-01", "2026-12-31"),
            SpatialCoverage: new Localized("长春新区", "Changchun New Area, Jilin Province"),
            Fields: fields);
    }

    /// <summary>The CSV of a published table: dimension columns, value (empty when withheld), status (C when withheld).</summary>
    public static string Csv(PublishedTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return Microdata.ToCsv(
            [.. table.Dimensions, ValueColumn, StatusColumn],
            table.Rows.Select(r => (IReadOnlyList<string>)[.. r.Categories,
                r.Value is { } v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : "", r.Status ?? ""]));
    }

    /// <summary>Definition titles read "支持措施 measure": Chinese, then the English word.</summary>
    private static (string Zh, string En) Split(string? title, string name)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            return (name, name);
        }
        var space = title.LastIndexOf(' ');
        return space > 0 ? (title[..space], title[(space + 1)..]) : (title, name);
    }
}
