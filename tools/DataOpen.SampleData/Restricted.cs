using DataOpen.Core.Catalog;
using static DataOpen.SampleData.Catalog;

namespace DataOpen.SampleData;

/// <summary>Enterprise-level datasets that are not open to everyone: energy (conditional) and tax (not open).</summary>
public static class Restricted
{
    public static GeneratedDataset EnergyConsumption(IReadOnlyList<Enterprise> enterprises)
    {
        var rng = SplitMix64.For("enterprise-energy-consumption");
        var csv = new CsvBuilder(["credit_code", "enterprise_name", "track", "park", "year", "energy_tce", "electricity", "natural_gas", "output_value", "energy_intensity"]);
        // Energy statistics cover industrial enterprises above a size threshold (规模以上工业企业).
        var covered = enterprises.Where(e => e.Track.Section == "gb-c" && (e.SizeClass is "大型" or "中型" || (e.SizeClass == "小型" && e.Employees >= 100))).ToList();
        foreach (var e in covered)
        {
            var intensityBase = e.Track.Code switch
            {
                "new-materials" => 0.35,
                "new-energy-vehicles" => 0.12,
                "advanced-manufacturing" => 0.10,
                "biomedicine" => 0.08,
                _ => 0.06,
            };
            var productivity = rng.Between(60.0, 180.0); // 万元 output per employee
            var efficiency = rng.Between(0.7, 1.3);
            for (var year = 2023; year <= 2025; year++)
            {
                if (e.Founded.Year > year)
                {
                    continue;
                }
                var output = Fmt.Dec(e.Employees * productivity * (1 + 0.06 * (year - 2023)) * rng.Between(0.9, 1.1), 1);
                // A plant's intensity is stable from year to year and drifts down with energy-saving work.
                var intensity = intensityBase * efficiency * (1 - 0.03 * (year - 2023)) * rng.Between(0.95, 1.05);
                var tce = Fmt.Dec((double)output * intensity, 1);
                // Electricity: 1 万kWh = 1.229 tce (equivalent value); gas: 1 万m³ = 12.143 tce. The rest is coal and heat.
                var electricityShare = rng.Between(0.45, 0.75);
                var gasShare = rng.Between(0.05, 0.25);
                var electricity = Fmt.Dec((double)tce * electricityShare / 1.229, 2);
                var gas = Fmt.Dec((double)tce * gasShare / 12.143, 2);
                var perOutput = output == 0 ? 0 : Math.Round(tce / output, 4, MidpointRounding.AwayFromZero);
                csv.Row(e.CreditCode, e.Name, e.Track.Zh, e.Park.Zh, Fmt.I(year), Fmt.D(tce), Fmt.D(electricity), Fmt.D(gas), Fmt.D(output), Fmt.D(perOutput));
            }
        }
        var definition = Define(
            "enterprise-energy-consumption",
            "新赛道工业企业能源消费明细", "Energy consumption of industrial track enterprises",
            "2023—2025 年新赛道规模以上工业企业年度综合能源消费量、用电量、天然气消费量、工业总产值和单位产值能耗（企业级明细）。属有条件开放数据，经申请审核后提供。",
            "Annual energy use, electricity, natural gas, output and energy intensity of industrial track enterprises above the size threshold, 2023–2025, per enterprise. Conditional: provided after an approved application.",
            "statistics",
            Themes(["environment", "economy"], ["energy"], ["gb-c"]),
            ["能源消费", "能耗", "用电量", "节能降碳", "工业企业"],
            ["energy consumption", "energy intensity", "electricity", "carbon reduction", "industrial enterprises"],
            OpenClasses.Conditional, "yearly",
            new TemporalCoverage("2023-01-01", "2025-12-31"),
            new SourceSpec("energy-consumption.csv", "csv", "utf-8"),
            [
                F("credit_code", "统一社会信用代码", "Unified social credit code", "text", required: true, sensitivity: "internal"),
                F("enterprise_name", "企业名称", "Enterprise name", "text", sensitivity: "internal"),
                F("track", "所属赛道", "Track", "text"),
                F("park", "所在园区", "Park", "text"),
                F("year", "年度", "Year", "integer", domain: "2023–2025"),
                F("energy_tce", "综合能源消费量", "Total energy consumption", "decimal", "吨标准煤", "按等价值折算。", sensitivity: "sensitive"),
                F("electricity", "用电量", "Electricity", "decimal", "万千瓦时", sensitivity: "sensitive"),
                F("natural_gas", "天然气消费量", "Natural gas", "decimal", "万立方米", sensitivity: "sensitive"),
                F("output_value", "工业总产值", "Gross industrial output", "decimal", "万元", "当年价。", sensitivity: "sensitive"),
                F("energy_intensity", "单位产值能耗", "Energy intensity", "decimal", "吨标准煤/万元", sensitivity: "sensitive"),
            ],
            openConditions: new Localized(
                "仅向经实名认证的科研机构、高校和承担节能降碳研究或园区规划任务的单位开放。申请时须说明用途和应用场景、使用期限（不超过 12 个月）及安全措施，签署数据利用协议和安全承诺书；数据仅限在申请用途内使用，不得对外提供或公开单个企业数据，发布研究成果时须聚合到不少于 3 家企业。经统计局审核同意后开通访问，全程记录访问日志。",
                "Open only to verified research institutes, universities and bodies doing energy-saving or park-planning work. The application states purpose and use scenario, period (at most 12 months) and security measures, and accepts the data-use agreement and security pledge. Use is limited to the stated purpose; no single enterprise's data may be passed on or published, and published results aggregate at least 3 enterprises. Access is granted after review by the Statistics Bureau and every access is logged."));
        return new GeneratedDataset(definition, Output.Encode(csv.ToString(), "utf-8"), csv.Rows, csv.Header, "CSV, UTF-8");
    }

    public static GeneratedDataset TaxDetails(IReadOnlyList<Enterprise> enterprises)
    {
        var rng = SplitMix64.For("enterprise-tax-details");
        var csv = new CsvBuilder(["credit_code", "enterprise_name", "year", "quarter", "vat", "corporate_income_tax", "iit_withheld", "total_tax"]);
        // A fixed sample of enterprises: every 8th, so the file stays small but spans all tracks and sizes.
        for (var i = 0; i < enterprises.Count; i += 8)
        {
            var e = enterprises[i];
            var scale = e.Employees * rng.Between(0.8, 3.0);
            for (var q = 1; q <= 4; q++)
            {
                var vat = Fmt.Dec(scale * rng.Between(0.3, 0.7), 2);
                var cit = Fmt.Dec(rng.Chance(0.3) ? 0 : scale * rng.Between(0.1, 0.4), 2);
                var iit = Fmt.Dec(e.Employees * rng.Between(0.05, 0.2), 2);
                csv.Row(e.CreditCode, e.Name, "2025", Fmt.I(q), Fmt.D(vat), Fmt.D(cit), Fmt.D(iit), Fmt.D(vat + cit + iit));
            }
        }
        var definition = Define(
            "enterprise-tax-details",
            "新赛道企业纳税明细", "Tax paid by track enterprises (detail)",
            "2025 年按季度的新赛道企业增值税、企业所得税、代扣代缴个人所得税入库明细。涉及纳税人商业秘密，依法不予开放，仅在目录中登记供内部编目和政策统计使用；经脱敏汇总后可形成新的开放数据集。",
            "Quarterly VAT, corporate income tax and withheld individual income tax per enterprise, 2025. Taxpayer secrets: not open; registered in the catalogue for internal cataloguing and policy statistics only. Aggregated, de-identified derivatives may be opened as new datasets.",
            "tax",
            Themes(["finance"], ["taxation"], [.. Reference.Tracks.Select(t => t.Code)]),
            ["纳税", "税收", "企业所得税", "增值税"],
            ["tax", "taxation", "corporate income tax", "VAT"],
            OpenClasses.NotOpen, "quarterly",
            new TemporalCoverage("2025-01-01", "2025-12-31"),
            new SourceSpec("tax-details.csv", "csv", "utf-8"),
            [
                F("credit_code", "统一社会信用代码", "Unified social credit code", "text", required: true, sensitivity: "sensitive"),
                F("enterprise_name", "企业名称", "Enterprise name", "text", sensitivity: "sensitive"),
                F("year", "年度", "Year", "integer"),
                F("quarter", "季度", "Quarter", "integer", domain: "1–4"),
                F("vat", "增值税", "VAT", "decimal", "万元", sensitivity: "sensitive"),
                F("corporate_income_tax", "企业所得税", "Corporate income tax", "decimal", "万元", sensitivity: "sensitive"),
                F("iit_withheld", "代扣代缴个人所得税", "Individual income tax withheld", "decimal", "万元", sensitivity: "sensitive"),
                F("total_tax", "税收合计", "Total tax", "decimal", "万元", sensitivity: "sensitive"),
            ],
            securityGrade: "important");
        return new GeneratedDataset(definition, Output.Encode(csv.ToString(), "utf-8"), csv.Rows, csv.Header, "CSV, UTF-8");
    }
}
