using DataOpen.Core.Catalog;
using static DataOpen.SampleData.Catalog;

namespace DataOpen.SampleData;

public sealed record Enterprise(string Name, string CreditCode, Track Track, Park Park, DateOnly Founded, decimal RegisteredCapital, string SizeClass, int Employees);

/// <summary>Enterprises on the digital-real integration tracks and the datasets built on them (parks, platforms).</summary>
public static class Enterprises
{
    private static readonly string[] Brand =
    [
        "华", "瑞", "博", "康", "新", "源", "科", "晟", "鑫", "泰", "宏", "光", "远", "吉", "诺", "恒", "达", "汇", "智", "联",
        "禾", "辰", "卓", "越", "启", "明", "睿", "航", "宇", "金", "润", "安", "盛", "嘉", "思", "云", "天", "海", "峰", "澜",
        "致", "信", "锐", "拓", "景", "益", "和", "丰", "茂", "祥", "峻", "昊", "麒", "腾", "翔", "誉", "臻", "弘", "柏", "霖",
    ];

    private static readonly Dictionary<string, string[]> Descriptor = new(StringComparer.Ordinal)
    {
        ["biomedicine"] = ["生物科技", "药业", "医疗器械", "生物制药", "基因科技", "医药科技", "健康科技", "疫苗科技"],
        ["photonics"] = ["光电科技", "光学仪器", "激光技术", "光电子", "精密光学", "半导体", "光电信息技术"],
        ["digital-economy"] = ["信息技术", "软件", "数据科技", "网络科技", "智能科技", "云计算", "数字科技", "信息服务"],
        ["new-materials"] = ["新材料", "化工材料", "复合材料", "碳纤维", "新型材料科技", "高分子材料"],
        ["advanced-manufacturing"] = ["智能装备", "精密机械", "机器人", "自动化设备", "装备制造", "轨道交通装备"],
        ["aerospace"] = ["航空科技", "卫星技术", "航天科技", "空天信息", "无人机", "航空装备"],
        ["new-energy-vehicles"] = ["新能源汽车科技", "汽车电子", "动力电池", "智能网联科技", "汽车零部件", "氢能科技"],
    };

    private static readonly string[] Prefix = ["长春", "吉林省", "长春新区", "吉林"];
    private static readonly double[] PrefixWeight = [0.55, 0.15, 0.2, 0.1];
    private static readonly string[] Divisions = ["220173", "220113", "220122", "220100"];
    private static readonly double[] DivisionWeight = [0.6, 0.15, 0.1, 0.15];
    private static readonly string[] Sizes = ["微型", "小型", "中型", "大型"];
    private static readonly double[] SizeWeight = [0.45, 0.35, 0.15, 0.05];
    private static readonly double[] TrackWeight = [0.18, 0.14, 0.24, 0.10, 0.14, 0.08, 0.12];

    public static IReadOnlyList<Enterprise> Generate(int count)
    {
        var rng = SplitMix64.For("digital-real-enterprises");
        var names = new HashSet<string>(StringComparer.Ordinal);
        var codes = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<Enterprise>(count);
        var firstDay = new DateOnly(2000, 1, 1).DayNumber;
        var lastDay = new DateOnly(2025, 9, 30).DayNumber;
        var newCodeEra = new DateOnly(2015, 10, 1);
        while (list.Count < count)
        {
            var track = Reference.Tracks[rng.Weighted(TrackWeight)];
            var parksOfTrack = Reference.Parks.Where(p => p.Track == track.Code).ToList();
            var park = parksOfTrack.Count > 0 && rng.Chance(0.72) ? rng.Pick(parksOfTrack) : rng.Pick(Reference.Parks);
            var sizeIndex = rng.Weighted(SizeWeight);
            var size = Sizes[sizeIndex];
            // 统计上大中小微型企业划分办法（2017）: software and IT services use lower employee thresholds than industry.
            int[] bounds = track.Code == "digital-economy" ? [1, 10, 100, 300, 2000] : [2, 20, 300, 1000, 6000];
            var employees = rng.Between(bounds[sizeIndex], bounds[sizeIndex + 1] - 1);

            // Larger firms tend to be older; small ones skew recent (max of two uniforms).
            var u = sizeIndex >= 2 ? rng.NextDouble() : Math.Max(rng.NextDouble(), rng.NextDouble());
            var founded = DateOnly.FromDayNumber(firstDay + (int)(u * (lastDay - firstDay)));

            double[] capitalRange = sizeIndex switch
            {
                0 => [10, 500],
                1 => [50, 5000],
                2 => [1000, 30000],
                _ => [10000, 300000],
            };
            var rawCapital = rng.Between(capitalRange[0], capitalRange[1]);
            var capital = rng.Chance(0.6)
                ? Fmt.Dec(Math.Round(rawCapital / (rawCapital >= 1000 ? 100 : 10), MidpointRounding.AwayFromZero) * (rawCapital >= 1000 ? 100 : 10), 0)
                : Fmt.Dec(rawCapital, 2);

            var name = Prefix[rng.Weighted(PrefixWeight)] + rng.Pick(Brand) + rng.Pick(Brand) + rng.Pick(Descriptor[track.Code])
                + (sizeIndex == 3 && rng.Chance(0.4) ? "股份有限公司" : "有限公司");
            if (!names.Add(name))
            {
                continue;
            }

            var body = founded < newCodeEra
                ? (char)('1' + rng.Next(9)) + string.Concat(Enumerable.Range(0, 7).Select(_ => (char)('0' + rng.Next(10))))
                : "MA" + string.Concat(Enumerable.Range(0, 6).Select(_ => CreditCode.Charset[rng.Next(CreditCode.Charset.Length)]));
            var code = CreditCode.Build("91", Divisions[rng.Weighted(DivisionWeight)], body);
            if (!codes.Add(code))
            {
                names.Remove(name);
                continue;
            }
            list.Add(new Enterprise(name, code, track, park, founded, capital, size, employees));
        }
        return list;
    }

    public static GeneratedDataset EnterpriseDataset(IReadOnlyList<Enterprise> enterprises)
    {
        var csv = new CsvBuilder(["企业名称", "统一社会信用代码", "所属赛道", "所在园区", "成立日期", "注册资本（万元）", "企业规模", "从业人员数"]);
        foreach (var e in enterprises)
        {
            csv.Row(e.Name, e.CreditCode, e.Track.Zh, e.Park.Zh, Fmt.Date(e.Founded), Fmt.D(e.RegisteredCapital), e.SizeClass, Fmt.I(e.Employees));
        }
        var tracks = string.Join("、", Reference.Tracks.Select(t => t.Zh));
        var definition = Define(
            "digital-real-enterprises",
            "数实融合新赛道企业名录", "Enterprises on the digital-real integration tracks",
            $"依据{Reference.PolicyZh}认定的新赛道企业名录，含统一社会信用代码、所属赛道、所在园区、成立日期、注册资本和企业规模。文件为 GBK 编码的 CSV，表头为中文。",
            "Register of enterprises on the new digital-real integration tracks: unified social credit code, track, park, founding date, registered capital and size class. GBK-encoded CSV with Chinese headers.",
            "economic-development",
            Themes(["economy"], ["market-entities"], [.. Reference.Tracks.Select(t => t.Code)]),
            ["数实融合", "新赛道", "企业名录", "统一社会信用代码", "产业园区"],
            ["digital-real integration", "new tracks", "enterprise register", "unified social credit code", "industrial parks"],
            OpenClasses.Unconditional, "monthly",
            new TemporalCoverage("2000-01-01", "2025-09-30"),
            new SourceSpec("enterprises.csv", "csv", "gbk"),
            [
                F("enterprise_name", "企业名称", "Enterprise name", "text", source: "企业名称", required: true, desc: "市场主体登记名称。"),
                F("credit_code", "统一社会信用代码", "Unified social credit code", "text", source: "统一社会信用代码", required: true,
                    desc: "18 位统一社会信用代码（GB 32100-2015），第 17 位为组织机构代码校验码（GB 11714），第 18 位为统一代码校验码。",
                    domain: "18 位，字符集 0-9 A-H J-N P-R T U W-Y，校验码有效"),
                F("track", "所属赛道", "Track", "text", source: "所属赛道", domain: tracks),
                F("park", "所在园区", "Park", "text", source: "所在园区", domain: string.Join("、", Reference.Parks.Select(p => p.Zh))),
                F("founded_on", "成立日期", "Founding date", "date", source: "成立日期"),
                F("registered_capital", "注册资本", "Registered capital", "decimal", "万元", source: "注册资本（万元）", domain: "> 0"),
                F("size_class", "企业规模", "Size class", "text", source: "企业规模", domain: "大型、中型、小型、微型（统计上大中小微型企业划分办法（2017））"),
                F("employees", "从业人员数", "Employees", "integer", "人", source: "从业人员数", domain: ">= 1"),
            ]);
        return new GeneratedDataset(definition, Output.Encode(csv.ToString(), "gbk"), csv.Rows, csv.Header, "CSV, GBK, Chinese headers");
    }

    public static GeneratedDataset ParkDataset(IReadOnlyList<Enterprise> enterprises)
    {
        var csv = new CsvBuilder(["park_id", "name", "name_en", "leading_track", "longitude", "latitude", "planned_area", "established_year", "enterprise_count", "managing_body", "address"]);
        foreach (var p in Reference.Parks)
        {
            csv.Row(p.Id, p.Zh, p.En, Reference.TrackOf(p.Track).Zh, Fmt.F(p.Longitude, 6), Fmt.F(p.Latitude, 6), Fmt.D(p.AreaKm2), Fmt.I(p.Established),
                Fmt.I(enterprises.Count(e => e.Park == p)), Reference.Publishers.Single(x => x.Id == p.Publisher).Name.Zh, p.Address);
        }
        var definition = Define(
            "featured-parks",
            "数实融合特色产业园区", "Featured industrial parks of the digital-real integration tracks",
            "长春新区特色产业园区（长春药谷、长春光谷、数字经济产业园、新材料产业基地、航空航天产业园等）的位置、规划面积、主导赛道和入驻新赛道企业数。",
            "Location (WGS-84), planned area, leading track and number of track enterprises of the featured industrial parks.",
            "economic-development",
            Themes(["economy", "urban"], ["industrial-parks"], [.. Reference.Parks.Select(p => p.Track).Distinct()]),
            ["产业园区", "长春药谷", "长春光谷", "数字经济", "航空航天"],
            ["industrial parks", "pharma valley", "optics valley", "digital economy", "aerospace"],
            OpenClasses.Unconditional, "yearly",
            new TemporalCoverage("2014-01-01", "2025-12-31"),
            new SourceSpec("parks.csv", "csv", "utf-8"),
            [
                F("park_id", "园区编码", "Park id", "text", required: true),
                F("name", "园区名称", "Name", "text", required: true),
                F("name_en", "英文名称", "English name", "text"),
                F("leading_track", "主导赛道", "Leading track", "text"),
                F("longitude", "经度", "Longitude", "double", "°", "WGS-84 经度", "125.2–125.5"),
                F("latitude", "纬度", "Latitude", "double", "°", "WGS-84 纬度", "43.85–44.05"),
                F("planned_area", "规划面积", "Planned area", "decimal", "km²"),
                F("established_year", "设立年份", "Year established", "integer"),
                F("enterprise_count", "新赛道企业数", "Track enterprises", "integer", "家", "数据集 digital-real-enterprises 中登记在该园区的企业数。"),
                F("managing_body", "管理机构", "Managing body", "text"),
                F("address", "地址", "Address", "text"),
            ],
            geo: new GeoSpec("longitude", "latitude"));
        return new GeneratedDataset(definition, Output.Encode(csv.ToString(), "utf-8"), csv.Rows, csv.Header, "CSV, UTF-8");
    }

    private static readonly (string Type, string[] Services)[] PlatformTypes =
    [
        ("中试平台", ["工艺放大", "中试生产", "样品试制", "工艺验证"]),
        ("检验检测", ["产品检测", "计量校准", "认证咨询", "失效分析"]),
        ("公共技术服务", ["共享仪器", "技术咨询", "联合研发", "标准制定"]),
        ("科技企业孵化器", ["孵化场地", "创业辅导", "投融资对接", "知识产权服务"]),
        ("技术转移机构", ["技术评估", "成果转化", "技术合同登记", "专利运营"]),
        ("工业互联网平台", ["设备上云", "数字孪生", "工业 App", "数据采集"]),
        ("算力服务平台", ["GPU 算力租赁", "模型训练", "数据标注", "算力券兑付"]),
    ];

    public static GeneratedDataset PlatformDataset(IReadOnlyList<Enterprise> enterprises)
    {
        var rng = SplitMix64.For("tech-service-platforms");
        var csv = new CsvBuilder(["platform_id", "name", "platform_type", "track", "operator", "park", "services", "contact_phone", "contact_email", "established_year", "open_to_public"]);
        var operators = enterprises.Where(e => e.SizeClass is "大型" or "中型").ToList();
        string[] levels = ["国家级", "省级", "市级", "区级"];
        for (var i = 1; i <= 48; i++)
        {
            var (type, services) = PlatformTypes[rng.Next(PlatformTypes.Length)];
            var op = rng.Pick(operators);
            var level = levels[rng.Weighted([0.1, 0.25, 0.3, 0.35])];
            var chosen = services.Where(_ => rng.Chance(0.6)).DefaultIfEmpty(services[0]);
            csv.Row(
                $"TSP{i:000}",
                $"{level}{op.Track.Zh}{type}（{op.Name[..Math.Min(op.Name.Length, 6)]}）",
                type,
                op.Track.Zh,
                op.Name,
                op.Park.Zh,
                string.Join("；", chosen),
                $"0431-8{rng.Between(1000000, 9999999)}",
                $"service{i:000}@platforms.ccxq.example.cn",
                Fmt.I(Math.Max(op.Founded.Year, 2012) + rng.Next(Math.Max(1, 2025 - Math.Max(op.Founded.Year, 2012)))),
                rng.Chance(0.85) ? "true" : "false");
        }
        var definition = Define(
            "tech-service-platforms",
            "公共技术服务平台", "Public technology service platforms",
            "面向新赛道企业开放共享的中试、检验检测、技术转移、孵化、工业互联网和算力等公共技术服务平台，含运营主体、所在园区、服务内容和联系方式。",
            "Open pilot-scale, testing, technology transfer, incubation, industrial-internet and computing platforms serving track enterprises, with operator, park, services and contact.",
            "science-technology",
            Themes(["science", "public-service"], ["tech-platforms"], ["gb-m"]),
            ["公共技术服务平台", "中试平台", "检验检测", "孵化器", "科技服务"],
            ["technology service platform", "pilot plant", "testing", "incubator", "technology services"],
            OpenClasses.Unconditional, "quarterly",
            new TemporalCoverage("2012-01-01", "2025-12-31"),
            new SourceSpec("platforms.csv", "csv", "utf-8"),
            [
                F("platform_id", "平台编号", "Platform id", "text", required: true),
                F("name", "平台名称", "Platform name", "text", required: true),
                F("platform_type", "平台类型", "Platform type", "text", domain: string.Join("、", PlatformTypes.Select(p => p.Type))),
                F("track", "服务赛道", "Track served", "text"),
                F("operator", "运营主体", "Operator", "text"),
                F("park", "所在园区", "Park", "text"),
                F("services", "服务内容", "Services", "text", desc: "多项以全角分号“；”分隔。"),
                F("contact_phone", "联系电话", "Contact phone", "text", desc: "平台对外服务电话。"),
                F("contact_email", "联系邮箱", "Contact email", "text"),
                F("established_year", "建成年份", "Year established", "integer"),
                F("open_to_public", "是否对外开放", "Open to outside users", "boolean"),
            ]);
        return new GeneratedDataset(definition, Output.Encode(csv.ToString(), "utf-8"), csv.Rows, csv.Header, "CSV, UTF-8");
    }
}
