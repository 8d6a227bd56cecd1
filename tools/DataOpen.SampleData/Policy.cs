using System.Globalization;
using System.Text;
using System.Text.Json;
using DataOpen.Core.Catalog;
using MiniExcelLibs;
using static DataOpen.SampleData.Catalog;

namespace DataOpen.SampleData;

public sealed record Clause(string Id, string Track, string Measure, string Description, decimal? Rate, long? CapPerProject, long? CapPerEnterpriseYear, string Conditions, string Department);

/// <summary>The policy's measures and the datasets that report on carrying them out.</summary>
public static class Policy
{
    public static readonly IReadOnlyList<Clause> Clauses =
    [
        new("XQSS-01", "通用", "技术开发合同补助", "对企业作为委托方签订并经认定登记的技术开发合同，按实际支付合同金额的30%给予补助。", 0.30m, 5_000_000, 15_000_000, "委托方为在新区注册的新赛道企业；合同经技术合同认定登记机构登记；已实际支付。", "科技创新局"),
        new("XQSS-02", "通用", "重大项目区级配套", "对获得国家、省、市重大科技或产业项目支持的企业，按上级支持资金的50%给予区级配套。", 0.50m, 10_000_000, null, "项目已获国家、省或市立项支持并拨付资金；配套资金不超过企业自筹资金。", "经济发展局"),
        new("XQSS-03", "通用", "研发投入增量奖励", "对年度研发费用较上年增长的企业，按增量部分的10%给予奖励。", 0.10m, null, 2_000_000, "研发费用以税务部门加计扣除备案数据为准；增量不低于100万元。", "科技创新局"),
        new("XQSS-04", "通用", "公共技术服务平台建设补助", "对新建的中试、检验检测、公共技术服务平台，按设备和软件投资额的30%给予补助。", 0.30m, 5_000_000, null, "平台面向新赛道企业开放共享，年服务企业不少于20家。", "科技创新局"),
        new("XQSS-05", "通用", "人才认定奖励（A类）", "对新认定的A类（顶尖）人才给予一次性奖励。", null, 3_000_000, null, "按新区人才分类目录认定；在新区全职工作并签订5年以上服务协议。", "人力资源和社会保障局"),
        new("XQSS-06", "通用", "人才认定奖励（B类）", "对新认定的B类（领军）人才给予一次性奖励。", null, 1_000_000, null, "按新区人才分类目录认定；在新区全职工作并签订5年以上服务协议。", "人力资源和社会保障局"),
        new("XQSS-07", "通用", "人才认定奖励（C、D、E类）", "对新认定的C、D、E类人才分别给予50万元、20万元、5万元一次性奖励。", null, 500_000, null, "按新区人才分类目录认定；在新区缴纳社会保险满6个月。", "人力资源和社会保障局"),
        new("XQSS-08", "通用", "首违不罚", "对首次违法、违法行为轻微并及时改正且未造成危害后果的市场主体，依法不予行政处罚，以批评教育、指导约谈等方式督促整改。", null, null, null, "适用《首违不罚事项清单》所列事项；两年内未因同一事项受到行政处罚。", "市场监督管理局"),
        new("XQSS-09", "通用", "包容审慎监管", "对新技术、新产业、新业态、新模式企业实行包容审慎监管，设置合理观察期。", null, null, null, "属于新赛道企业；观察期内未发生重大安全和质量事故。", "市场监督管理局"),
        new("XQSS-10", "数字经济", "算力券", "向企业发放算力券，用于租用区内智能算力，按算力费用的50%抵扣。", 0.50m, null, 2_000_000, "使用新区备案的算力服务平台；算力用于模型训练、推理或科学计算。", "数据局"),
        new("XQSS-11", "通用", "应用场景开放", "对入选新区应用场景清单并完成示范应用的项目，按项目实际投资额的20%给予支持。", 0.20m, 3_000_000, null, "项目在新区落地；场景发布单位出具验收意见。", "数据局"),
        new("XQSS-12", "数字经济", "数据要素交易奖励", "对在依法设立的数据交易场所挂牌并完成交易的数据产品，按年度交易额的10%给予奖励。", 0.10m, null, 1_000_000, "数据产品已完成合规评估和登记；交易对方与企业无关联关系。", "数据局"),
        new("XQSS-13", "数字经济", "数字化转型改造", "对实施智能化改造和数字化转型的企业，按软硬件投资额的20%给予补助。", 0.20m, 3_000_000, null, "项目软硬件投资额不低于200万元；已完成验收。", "经济发展局"),
        new("XQSS-14", "生物医药", "创新药临床试验支持", "对在新区开展并完成临床试验的1类创新药，按研发投入的20%分阶段给予支持。", 0.20m, 10_000_000, 20_000_000, "取得临床试验批件；主要研发和生产活动在新区。", "科技创新局"),
        new("XQSS-15", "生物医药", "仿制药一致性评价奖励", "对通过仿制药质量和疗效一致性评价的品种给予奖励。", null, 1_000_000, 3_000_000, "通过国家药品监督管理局一致性评价；在新区生产。", "经济发展局"),
        new("XQSS-16", "光电信息", "首台（套）光电装备奖励", "对认定为首台（套）的光电装备，按产品销售额的30%给予奖励。", 0.30m, 5_000_000, null, "列入省级以上首台（套）重大技术装备目录。", "经济发展局"),
        new("XQSS-17", "新材料", "首批次新材料保险补偿", "对新材料首批次应用保险，按保费的80%给予补贴。", 0.80m, null, 2_000_000, "产品列入重点新材料首批次应用示范指导目录。", "经济发展局"),
        new("XQSS-18", "高端装备", "智能装备首台（套）奖励", "对高端装备首台（套）产品，按销售额的15%给予奖励。", 0.15m, 5_000_000, null, "产品在新区生产；销售合同已履行。", "经济发展局"),
        new("XQSS-19", "航空航天", "卫星数据应用补助", "对采购卫星遥感数据和空天信息服务开展行业应用的企业，按采购费用的30%给予补助。", 0.30m, 2_000_000, null, "应用场景在新区；服务商为新区企业。", "科技创新局"),
        new("XQSS-20", "新能源汽车", "智能网联汽车测试补助", "对在新区开放测试道路开展智能网联汽车测试的企业，按测试费用的30%给予补助。", 0.30m, 1_000_000, null, "取得新区测试牌照；测试数据按要求接入监管平台。", "交通运输局"),
        new("XQSS-21", "通用", "科技贷款贴息", "对新赛道企业的科技贷款，按实际支付利息的50%给予贴息。", 0.50m, null, 1_000_000, "贷款用于研发或技术改造；按期还本付息。", "财政局"),
    ];

    public static GeneratedDataset PolicyMeasures()
    {
        var effective = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
        var rows = Clauses.Select(c => new Dictionary<string, object?>
        {
            ["条款编号"] = c.Id,
            ["赛道"] = c.Track,
            ["措施名称"] = c.Measure,
            ["措施内容"] = c.Description,
            ["支持比例"] = c.Rate,
            ["单个项目上限（元）"] = c.CapPerProject,
            ["单个企业年度上限（元）"] = c.CapPerEnterpriseYear,
            ["申报条件"] = c.Conditions,
            ["主管部门"] = c.Department,
            ["生效日期"] = effective,
        }).ToList();
        using var stream = new MemoryStream();
        stream.SaveAs(rows, sheetName: "政策条款");
        var bytes = DeterministicZip.Repack(stream.ToArray());
        string[] header = [.. rows[0].Keys];

        var definition = Define(
            "policy-measures",
            "数实融合新赛道政策条款", "Policy measures for the digital-real integration tracks",
            $"{Reference.PolicyZh}的条款结构化数据：条款编号、适用赛道、措施名称、措施内容、支持比例、单个项目和单个企业年度支持上限、申报条件及主管部门。金额单位为元，不适用的上限为空。",
            "The policy's clauses as structured data: clause id, track, measure, description, support rate, cap per project and per enterprise per year (yuan; empty when not applicable), conditions and responsible department.",
            "economic-development",
            Themes(["economy", "finance"], ["policy-clauses"], [.. Reference.Tracks.Select(t => t.Code)]),
            ["政策", "数实融合", "新赛道", "惠企政策", "首违不罚", "算力券"],
            ["policy", "digital-real integration", "new tracks", "enterprise support", "first-violation no-penalty", "computing-power vouchers"],
            OpenClasses.Unconditional, "irregular",
            new TemporalCoverage("2024-01-01", "2026-12-31"),
            new SourceSpec("policy-measures.xlsx", "xlsx", Sheet: "政策条款"),
            [
                F("clause_id", "条款编号", "Clause id", "text", source: "条款编号", required: true),
                F("track", "赛道", "Track", "text", source: "赛道", domain: "通用或" + string.Join("、", Reference.Tracks.Select(t => t.Zh))),
                F("measure", "措施名称", "Measure", "text", source: "措施名称"),
                F("description", "措施内容", "Description", "text", source: "措施内容"),
                F("support_rate", "支持比例", "Support rate", "decimal", desc: "补助、配套或奖励占计算基数的比例；定额奖励为空。", domain: "0–1", source: "支持比例"),
                F("cap_per_project", "单个项目上限", "Cap per project", "bigint", "元", source: "单个项目上限（元）"),
                F("cap_per_enterprise_year", "单个企业年度上限", "Cap per enterprise per year", "bigint", "元", source: "单个企业年度上限（元）"),
                F("conditions", "申报条件", "Conditions", "text", source: "申报条件"),
                F("department", "主管部门", "Responsible department", "text", source: "主管部门"),
                F("effective_on", "生效日期", "Effective date", "date", source: "生效日期"),
            ]);
        return new GeneratedDataset(definition, bytes, rows.Count, header, "XLSX (MiniExcel, sheet 政策条款), Chinese headers");
    }

    private static readonly JsonSerializerOptions JsonLine = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private sealed record TalentRow(int Year, string Track, string TrackName, string Level, int Count);

    public static GeneratedDataset TalentRecognitions()
    {
        var rng = SplitMix64.For("talent-recognitions");
        var text = new StringBuilder();
        var rows = 0;
        (string Level, int Min, int Max)[] levels = [("A", 0, 2), ("B", 1, 6), ("C", 4, 18), ("D", 12, 50), ("E", 30, 120)];
        double[] trackScale = [1.2, 1.0, 1.4, 0.7, 0.9, 0.6, 0.8];
        for (var year = 2021; year <= 2025; year++)
        {
            var growth = 1 + 0.12 * (year - 2021);
            for (var t = 0; t < Reference.Tracks.Count; t++)
            {
                foreach (var (level, min, max) in levels)
                {
                    var count = (int)Fmt.Round(rng.Between(min, max) * growth * trackScale[t]);
                    text.Append(JsonSerializer.Serialize(new TalentRow(year, Reference.Tracks[t].Code, Reference.Tracks[t].Zh, level, count), JsonLine)).Append('\n');
                    rows++;
                }
            }
        }
        var definition = Define(
            "talent-recognitions",
            "新赛道人才认定数量（按赛道和层次）", "Talent recognitions by track, level and year",
            "2021—2025 年按新区人才分类目录认定的人才数量，按年度、赛道和人才层次（A 顶尖、B 领军、C 高级、D 骨干、E 基础）汇总。认定名单已依法公示，本表仅为汇总数。文件为 JSON Lines。",
            "Number of talents recognised under the district's talent catalogue, 2021–2025, by year, track and level (A top to E basic). Recognition lists are publicly announced; this table holds counts only. JSON Lines.",
            "human-resources",
            Themes(["employment", "science"], ["talent"], [.. Reference.Tracks.Select(t => t.Code)]),
            ["人才", "人才认定", "新赛道", "人才层次"],
            ["talent", "talent recognition", "new tracks", "talent level"],
            OpenClasses.Unconditional, "yearly",
            new TemporalCoverage("2021-01-01", "2025-12-31"),
            new SourceSpec("talent-recognitions.jsonl", "jsonl", "utf-8"),
            [
                F("year", "年度", "Year", "integer", required: true, domain: "2021–2025"),
                F("track", "赛道代码", "Track code", "text", domain: string.Join(", ", Reference.Tracks.Select(t => t.Code))),
                F("track_name", "赛道", "Track", "text"),
                F("level", "人才层次", "Level", "text", domain: "A、B、C、D、E"),
                F("count", "认定人数", "Recognitions", "integer", "人", domain: ">= 0"),
            ]);
        return new GeneratedDataset(definition, Output.Encode(text.ToString(), "utf-8"), rows, ["year", "track", "track_name", "level", "count"], "JSON Lines, UTF-8");
    }

    public static GeneratedDataset RdSubsidies()
    {
        var rng = SplitMix64.For("rd-subsidies-quarterly");
        var csv = new CsvBuilder(["period", "year", "quarter", "track", "enterprise_count", "project_count", "amount_paid"]);
        double[] trackScale = [1.3, 1.0, 1.2, 0.6, 0.9, 0.35, 0.7];
        var suppressed = 0;
        for (var year = 2021; year <= 2025; year++)
        {
            for (var q = 1; q <= 4; q++)
            {
                // Payments bunch in Q2 and Q4 when review rounds close.
                var season = q switch { 1 => 0.5, 2 => 1.2, 3 => 0.7, _ => 1.6 };
                for (var t = 0; t < Reference.Tracks.Count; t++)
                {
                    var enterprises = (int)Fmt.Round(rng.Between(1.0, 9.0) * season * trackScale[t] * (1 + 0.15 * (year - 2021)));
                    var projects = enterprises + (int)Fmt.Round(enterprises * rng.Between(0.0, 0.6));
                    var amount = Fmt.Dec(projects * rng.Between(18.0, 160.0), 2);
                    // Frequency rule: amounts paid to fewer than 3 enterprises are not published.
                    var show = enterprises >= 3;
                    suppressed += show ? 0 : 1;
                    csv.Row($"{year}Q{q}", Fmt.I(year), Fmt.I(q), Reference.Tracks[t].Zh, Fmt.I(enterprises), Fmt.I(projects), show ? Fmt.D(amount) : "");
                }
            }
        }
        var definition = Define(
            "rd-subsidies-quarterly",
            "研发补助资金拨付情况（按季度和赛道汇总）", "R&D subsidies paid by quarter and track",
            "2021—2025 年按季度和赛道汇总的研发类补助（技术开发合同补助、研发投入增量奖励等）拨付企业数、项目数和拨付金额。受益企业少于 3 家的单元格不公布金额（频数规则），为空值。",
            "R&D subsidies (technology development contracts, R&D increase awards) paid per quarter and track, 2021–2025: enterprises, projects and amount. Amounts for cells with fewer than 3 enterprises are suppressed (empty).",
            "finance",
            Themes(["finance", "science"], ["enterprise-support"], [.. Reference.Tracks.Select(t => t.Code)]),
            ["研发补助", "惠企资金", "财政拨付", "技术开发合同"],
            ["R&D subsidies", "enterprise support", "fiscal payments", "technology development contracts"],
            OpenClasses.Unconditional, "quarterly",
            new TemporalCoverage("2021-01-01", "2025-12-31"),
            new SourceSpec("rd-subsidies-quarterly.csv", "csv", "utf-8"),
            [
                F("period", "统计期", "Period", "text", domain: "yyyyQn"),
                F("year", "年度", "Year", "integer"),
                F("quarter", "季度", "Quarter", "integer", domain: "1–4"),
                F("track", "赛道", "Track", "text"),
                F("enterprise_count", "受益企业数", "Enterprises", "integer", "家"),
                F("project_count", "项目数", "Projects", "integer", "个"),
                F("amount_paid", "拨付金额", "Amount paid", "decimal", "万元", $"受益企业少于 3 家时为空（本文件共 {suppressed} 个单元格）。"),
            ]);
        return new GeneratedDataset(definition, Output.Encode(csv.ToString(), "utf-8"), csv.Rows, csv.Header, "CSV, UTF-8");
    }

    public static GeneratedDataset ComputeVouchers()
    {
        var rng = SplitMix64.For("compute-vouchers-monthly");
        var csv = new CsvBuilder(["month", "vouchers_issued", "enterprises", "face_value", "redeemed_value", "gpu_card_hours"]);
        for (var m = 0; m < 24; m++)
        {
            var year = 2024 + m / 12;
            var month = m % 12 + 1;
            var ramp = 1 + m * 0.08;
            var enterprises = (int)Fmt.Round(rng.Between(6.0, 14.0) * ramp);
            var vouchers = enterprises + rng.Next(enterprises + 1);
            var face = Fmt.Dec(vouchers * rng.Between(8.0, 30.0), 2);
            var redeemed = Fmt.Dec((double)face * rng.Between(0.55, 0.92), 2);
            // About 12 yuan per A800-class card-hour after the voucher discount.
            var hours = Fmt.Round((double)redeemed * 10000 / rng.Between(10.0, 14.0));
            csv.Row($"{year}-{month:00}", Fmt.I(vouchers), Fmt.I(enterprises), Fmt.D(face), Fmt.D(redeemed), Fmt.I(hours));
        }
        var definition = Define(
            "compute-vouchers-monthly",
            "算力券发放与兑付月度统计", "Computing-power vouchers issued and redeemed per month",
            "2024—2025 年每月算力券发放张数、获券企业数、面额合计、已兑付金额和折合 GPU 卡时。",
            "Computing-power vouchers per month, 2024–2025: vouchers issued, enterprises, face value, redeemed value and GPU card-hours.",
            "data-bureau",
            Themes(["digital", "economy"], ["compute-vouchers"], ["digital-economy"]),
            ["算力券", "算力", "人工智能", "数字经济"],
            ["computing-power vouchers", "computing power", "AI", "digital economy"],
            OpenClasses.Unconditional, "monthly",
            new TemporalCoverage("2024-01-01", "2025-12-31"),
            new SourceSpec("compute-vouchers-monthly.csv", "csv", "utf-8"),
            [
                F("month", "月份", "Month", "text", domain: "yyyy-MM", required: true),
                F("vouchers_issued", "发放张数", "Vouchers issued", "integer", "张"),
                F("enterprises", "获券企业数", "Enterprises", "integer", "家"),
                F("face_value", "面额合计", "Face value", "decimal", "万元"),
                F("redeemed_value", "已兑付金额", "Redeemed value", "decimal", "万元"),
                F("gpu_card_hours", "折合 GPU 卡时", "GPU card-hours", "bigint", "卡时"),
            ]);
        return new GeneratedDataset(definition, Output.Encode(csv.ToString(), "utf-8"), csv.Rows, csv.Header, "CSV, UTF-8");
    }

    public static GeneratedDataset Scenarios()
    {
        var rng = SplitMix64.For("scenario-opening-list");
        string[] header = ["场景编号", "场景名称", "发布单位", "所属赛道", "场景类型", "需求描述", "发布日期", "截止日期", "预算（万元）"];
        var csv = new CsvBuilder(header);
        (string Name, string Need)[] ideas =
        [
            ("智慧园区能耗监测", "园区企业用能在线监测与能效诊断"), ("药品冷链追溯", "疫苗及生物制品冷链温度全程追溯"), ("光学检测产线质检", "基于机器视觉的光学元件缺陷检测"),
            ("政务数据共享沙箱", "隐私计算环境下的跨部门数据联合建模"), ("无人机巡检", "园区管网和道路无人机自动巡检"), ("智能网联公交", "开放道路自动驾驶微循环公交"),
            ("新材料检测共享", "复合材料性能测试设备共享预约"), ("卫星遥感耕地监测", "遥感影像识别耕地变化"), ("工业设备预测性维护", "关键设备振动数据分析与故障预警"),
            ("大模型政务助手", "面向企业咨询的政策问答大模型"), ("医疗影像辅助诊断", "基层医院影像人工智能辅助诊断"), ("空气质量溯源", "基于网格化监测的污染来源解析"),
        ];
        var departments = Reference.Publishers.Select(p => p.Name.Zh).ToList();
        var start = new DateOnly(2024, 3, 1).DayNumber;
        for (var i = 1; i <= 36; i++)
        {
            var (name, need) = ideas[(i - 1) % ideas.Length];
            var round = (i - 1) / ideas.Length + 1;
            var published = DateOnly.FromDayNumber(start + rng.Next(640));
            var deadline = published.AddDays(rng.Between(30, 90));
            csv.Row($"CJ{published.Year}{i:000}", round == 1 ? name : $"{name}（第{round}期）", rng.Pick(departments), rng.Pick(Reference.Tracks).Zh,
                rng.Chance(0.6) ? "能力需求" : "机会清单", need,
                published.ToString("yyyy/MM/dd", CultureInfo.InvariantCulture), deadline.ToString("yyyy/MM/dd", CultureInfo.InvariantCulture),
                Fmt.D(Fmt.Dec(rng.Between(20.0, 800.0), 0)));
        }
        var definition = Define(
            "scenario-opening-list",
            "应用场景开放清单", "Application scenarios opened to enterprises",
            "新区各部门和园区发布的应用场景（能力需求和机会清单），含发布单位、所属赛道、需求描述、发布和截止日期及预算。文件表头为中文，日期为 yyyy/MM/dd 格式，UTF-8 带 BOM。",
            "Application scenarios opened by departments and parks (capability needs and opportunity lists) with publisher, track, need, dates and budget. Chinese-only headers, dates as yyyy/MM/dd, UTF-8 with BOM.",
            "data-bureau",
            Themes(["economy", "digital"], ["scenario-opening"], [.. Reference.Tracks.Select(t => t.Code)]),
            ["应用场景", "场景开放", "机会清单", "能力需求"],
            ["application scenarios", "scenario opening", "opportunity list", "capability needs"],
            OpenClasses.Unconditional, "monthly",
            new TemporalCoverage("2024-03-01", "2026-03-31"),
            new SourceSpec("scenarios.csv", "csv", "auto"),
            [
                F("scenario_id", "场景编号", "Scenario id", "text", source: "场景编号", required: true),
                F("name", "场景名称", "Scenario", "text", source: "场景名称"),
                F("publisher", "发布单位", "Published by", "text", source: "发布单位"),
                F("track", "所属赛道", "Track", "text", source: "所属赛道"),
                F("scenario_type", "场景类型", "Type", "text", source: "场景类型", domain: "能力需求、机会清单"),
                F("need", "需求描述", "Need", "text", source: "需求描述"),
                F("published_on", "发布日期", "Published on", "date", source: "发布日期", format: "yyyy/MM/dd"),
                F("deadline", "截止日期", "Deadline", "date", source: "截止日期", format: "yyyy/MM/dd"),
                F("budget", "预算", "Budget", "decimal", "万元", source: "预算（万元）"),
            ]);
        return new GeneratedDataset(definition, Output.Encode(csv.ToString(), "utf-8-bom"), csv.Rows, header, "CSV, UTF-8 with BOM, Chinese-only headers, yyyy/MM/dd dates");
    }
}
