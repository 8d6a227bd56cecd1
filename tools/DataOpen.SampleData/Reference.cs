using DataOpen.Core.Catalog;

namespace DataOpen.SampleData;

public sealed record Track(string Code, string Zh, string En, string Section);

public sealed record Park(string Id, string Zh, string En, string Track, double Longitude, double Latitude, decimal AreaKm2, int Established, string Publisher, string Address);

public sealed record Publisher(string Id, Localized Name, Localized Description, ContactPoint ContactPoint, string Website);

public sealed record Theme(string Code, Localized Label, string? Parent = null);

public sealed record ThemeScheme(string Id, Localized Title, Localized Description, IReadOnlyList<Theme> Themes);

public sealed record License(string Id, Localized Title, string Url, bool Default = false, Localized? Summary = null, string? Text = null);

public sealed record Tier(string Id, Localized Name, Localized Description, int RatePerSecond, int Burst, long DailyQuota, bool RequiresKey);

public sealed record Station(string Code, string Zh, string En, double Longitude, double Latitude, string Kind, double Pm, double No2);

/// <summary>Reference records shared by seeds/ and the datasets that point to them.</summary>
public static class Reference
{
    public const string Spatial = "长春新区";
    public const string SpatialEn = "Changchun New Area, Jilin Province";
    public const string PolicyZh = "《长春新区关于支持数实融合新赛道发展的若干政策措施》";
    public const string SyntheticZh = "本数据为平台演示用合成样例数据（synthetic sample data），由确定性程序生成，不代表真实统计或登记信息。";
    public const string SyntheticEn = "Synthetic sample data generated deterministically for demonstrating the platform; it does not represent real statistics or registrations.";

    public static readonly IReadOnlyList<Track> Tracks =
    [
        new("biomedicine", "生物医药", "Biomedicine", "gb-c"),
        new("photonics", "光电信息", "Photonics and optoelectronics", "gb-c"),
        new("digital-economy", "数字经济", "Digital economy", "gb-i"),
        new("new-materials", "新材料", "New materials", "gb-c"),
        new("advanced-manufacturing", "高端装备", "Advanced equipment manufacturing", "gb-c"),
        new("aerospace", "航空航天", "Aerospace", "gb-c"),
        new("new-energy-vehicles", "新能源汽车", "New-energy and connected vehicles", "gb-c"),
    ];

    public static Track TrackOf(string code) => Tracks.Single(t => t.Code == code);

    public static readonly IReadOnlyList<Park> Parks =
    [
        new("pharma-valley", "长春药谷", "Changchun Pharma Valley", "biomedicine", 125.322, 43.948, 12.6m, 2017, "beihu-committee", "长春新区北湖科技开发区药谷大街"),
        new("optics-valley", "长春光谷", "Changchun Optics Valley", "photonics", 125.276, 43.872, 8.4m, 2018, "hitech-committee", "长春新区高新区光谷大街"),
        new("digital-economy-park", "数字经济产业园", "Digital Economy Industrial Park", "digital-economy", 125.352, 43.928, 5.2m, 2020, "hitech-committee", "长春新区高新区硅谷大街"),
        new("new-materials-base", "新材料产业基地", "New Materials Industrial Base", "new-materials", 125.421, 43.987, 9.8m, 2016, "changde-committee", "长春新区长德经济开发区新材路"),
        new("aerospace-park", "航空航天产业园", "Aerospace Industrial Park", "aerospace", 125.468, 44.021, 11.3m, 2019, "airport-committee", "长春新区空港经济开发区航天路"),
        new("equipment-park", "高端装备制造产业园", "Advanced Equipment Manufacturing Park", "advanced-manufacturing", 125.392, 43.962, 10.5m, 2015, "changde-committee", "长春新区长德经济开发区装备路"),
        new("beihu-science-park", "北湖科技园", "Beihu Science Park", "digital-economy", 125.336, 43.991, 6.1m, 2014, "beihu-committee", "长春新区北湖科技开发区盛北大街"),
        new("nev-park", "新能源汽车产业园", "New-Energy Vehicle Industrial Park", "new-energy-vehicles", 125.445, 44.038, 14.2m, 2021, "changde-committee", "长春新区长德经济开发区汽车路"),
    ];

    public static readonly IReadOnlyList<Station> Stations =
    [
        new("XQ001", "新区管委会", "New Area Administration", 125.301, 43.884, "城市点", 1.00, 1.10),
        new("XQ002", "北湖公园", "Beihu Park", 125.341, 43.975, "城市点", 0.88, 0.85),
        new("XQ003", "长春药谷", "Pharma Valley", 125.324, 43.951, "城市点", 0.95, 0.95),
        new("XQ004", "光谷大街", "Optics Valley Avenue", 125.279, 43.869, "交通点", 1.05, 1.30),
        new("XQ005", "长德开发区", "Changde Development Zone", 125.418, 43.989, "工业点", 1.12, 1.05),
        new("XQ006", "空港开发区", "Airport Economic Zone", 125.466, 44.018, "城市点", 1.02, 1.00),
        new("XQ007", "奋进乡", "Fenjin Township", 125.372, 44.045, "背景点", 0.78, 0.60),
        new("XQ008", "硅谷大街", "Silicon Valley Avenue", 125.350, 43.931, "交通点", 1.06, 1.25),
    ];

    public static ContactPoint ContactOf(string publisherId) => Publishers.Single(p => p.Id == publisherId).ContactPoint;

    public static readonly IReadOnlyList<Publisher> Publishers =
    [
        Pub("economic-development", "长春新区经济发展局", "Economic Development Bureau", "负责新区国民经济和社会发展规划、产业政策、重点项目与数实融合新赛道企业培育。", "Plans the economy, industrial policy and key projects, and fosters enterprises on the digital-real integration tracks.", "jfj", "0431-81330101"),
        Pub("science-technology", "长春新区科技创新局", "Science and Technology Innovation Bureau", "负责科技创新政策、科技服务平台建设、技术合同登记与研发投入支持。", "Science and technology policy, public technology service platforms, technology contract registration and R&D support.", "kjj", "0431-81330102"),
        Pub("ecology-environment", "长春市生态环境局长春新区分局", "Ecology and Environment Sub-bureau", "负责新区生态环境监测、大气污染防治和环境质量信息发布。", "Environmental monitoring, air-pollution control and publication of environmental quality information.", "sthj", "0431-81330103"),
        Pub("transport", "长春新区交通运输局", "Transport Bureau", "负责新区公共交通线网规划、公交站点设置和交通运输行业管理。", "Public transport network planning, bus stops and transport administration.", "jtj", "0431-81330104"),
        Pub("human-resources", "长春新区人力资源和社会保障局", "Human Resources and Social Security Bureau", "负责人才认定与服务、就业创业和社会保障工作。", "Talent recognition and services, employment, entrepreneurship and social security.", "rsj", "0431-81330105"),
        Pub("finance", "长春新区财政局", "Finance Bureau", "负责区级财政预算、惠企资金拨付和资金绩效管理。", "District budget, payment of enterprise support funds and performance management.", "czj", "0431-81330106"),
        Pub("market-regulation", "长春新区市场监督管理局", "Market Regulation Bureau", "负责市场主体登记、信用监管和包容审慎监管（首违不罚）。", "Business registration, credit supervision and soft regulation (no penalty for first minor violations).", "scj", "0431-81330107"),
        Pub("data-bureau", "长春新区数据局（大数据中心）", "Data Bureau (Big Data Center)", "负责公共数据资源目录、开放平台运营、数据要素市场培育和算力统筹。", "Public data catalogue, operation of this open-data platform, data-element market and computing-power coordination.", "sjj", "0431-81330108"),
        Pub("statistics", "长春新区统计局", "Statistics Bureau", "负责新区统计调查、能源统计和统计数据发布。", "Statistical surveys, energy statistics and publication of statistics.", "tjj", "0431-81330109"),
        Pub("tax", "国家税务总局长春新区税务局", "Changchun New Area Tax Bureau, STA", "负责新区税收征管；涉税数据依法不予开放。", "Tax administration; taxpayer data are not opened by law.", "swj", "0431-81330110"),
        Pub("hitech-committee", "长春高新技术产业开发区管理委员会", "Changchun High-tech Zone Administrative Committee", "负责高新区园区建设、招商与企业服务。", "Development, investment promotion and enterprise services of the High-tech Zone.", "gxq", "0431-81330111"),
        Pub("beihu-committee", "长春北湖科技开发区管理委员会", "Beihu Science and Technology Development Zone Committee", "负责北湖科技开发区（含长春药谷）园区建设与企业服务。", "Development and enterprise services of the Beihu zone, including Changchun Pharma Valley.", "bhkj", "0431-81330112"),
        Pub("changde-committee", "长德经济开发区管理委员会", "Changde Economic Development Zone Committee", "负责长德经济开发区产业园区建设与企业服务。", "Development and enterprise services of the Changde zone.", "cdjk", "0431-81330113"),
        Pub("airport-committee", "长春空港经济开发区管理委员会", "Airport Economic Development Zone Committee", "负责空港经济开发区（含航空航天产业园）建设与企业服务。", "Development and enterprise services of the Airport zone, including the Aerospace Industrial Park.", "kgjk", "0431-81330114"),
    ];

    private static Publisher Pub(string id, string zh, string en, string dzh, string den, string mailbox, string phone) =>
        new(id, new Localized(zh, $"{en}, Changchun New Area"), new Localized(dzh, den), new ContactPoint(zh + "数据开放联络人", $"{mailbox}@ccxq.gov.cn", phone), $"https://www.ccxq.gov.cn/{id}/");

    public static readonly IReadOnlyList<ThemeScheme> ThemeSchemes =
    [
        new("domain", new Localized("数据领域", "Data domain"), new Localized("按政务数据开放领域划分。", "Open-data domains."),
        [
            new("economy", new Localized("经济建设", "Economy")),
            new("environment", new Localized("生态环境", "Environment")),
            new("transport", new Localized("交通出行", "Transport")),
            new("science", new Localized("科技创新", "Science and innovation")),
            new("employment", new Localized("就业创业", "Employment and entrepreneurship")),
            new("finance", new Localized("财税金融", "Public finance and taxation")),
            new("urban", new Localized("城建住房", "Urban development and housing")),
            new("public-service", new Localized("公共服务", "Public services")),
            new("digital", new Localized("数字政府", "Digital government")),
        ]),
        new("industry", new Localized("行业分类", "Industry"), new Localized("GB/T 4754-2017 门类及数实融合新赛道（赛道为门类的下位类）。", "GB/T 4754-2017 sections with the policy's tracks as narrower themes."),
        [
            new("gb-c", new Localized("制造业（C）", "Manufacturing (C)")),
            new("gb-g", new Localized("交通运输、仓储和邮政业（G）", "Transport, storage and post (G)")),
            new("gb-i", new Localized("信息传输、软件和信息技术服务业（I）", "Information and software services (I)")),
            new("gb-m", new Localized("科学研究和技术服务业（M）", "Scientific research and technical services (M)")),
            new("gb-n", new Localized("水利、环境和公共设施管理业（N）", "Water, environment and public facilities (N)")),
            new("gb-s", new Localized("公共管理、社会保障和社会组织（S）", "Public administration and social organisations (S)")),
            .. Tracks.Select(t => new Theme(t.Code, new Localized(t.Zh, t.En), t.Section)),
        ]),
        new("subject", new Localized("资源分类", "Subject"), new Localized("按主题和提供部门职能划分的资源分类。", "Resource classification by subject and departmental function."),
        [
            new("industry-economy", new Localized("产业经济", "Industry and economy")),
            new("market-entities", new Localized("市场主体", "Market entities"), "industry-economy"),
            new("industrial-parks", new Localized("产业园区", "Industrial parks"), "industry-economy"),
            new("energy", new Localized("能源消费", "Energy consumption"), "industry-economy"),
            new("policy-services", new Localized("政策服务", "Policy services")),
            new("policy-clauses", new Localized("政策条款", "Policy clauses"), "policy-services"),
            new("enterprise-support", new Localized("惠企资金", "Enterprise support funds"), "policy-services"),
            new("scenario-opening", new Localized("场景开放", "Scenario opening"), "policy-services"),
            new("compute-vouchers", new Localized("算力券", "Computing-power vouchers"), "policy-services"),
            new("science-talent", new Localized("科技人才", "Science and talent")),
            new("tech-platforms", new Localized("科技服务平台", "Technology service platforms"), "science-talent"),
            new("talent", new Localized("人才", "Talent"), "science-talent"),
            new("environment-resources", new Localized("资源环境", "Environment and resources")),
            new("air-quality", new Localized("空气质量", "Air quality"), "environment-resources"),
            new("infrastructure", new Localized("基础设施", "Infrastructure")),
            new("public-transit", new Localized("公共交通", "Public transit"), "infrastructure"),
            new("fiscal-tax", new Localized("财政税务", "Public finance and tax")),
            new("taxation", new Localized("税收", "Taxation"), "fiscal-tax"),
        ]),
    ];

    public const string DefaultLicense = "CC-BY-4.0";

    public static readonly IReadOnlyList<License> Licenses =
    [
        new("CC-BY-4.0", new Localized("知识共享署名 4.0 国际许可协议", "Creative Commons Attribution 4.0 International"), "https://creativecommons.org/licenses/by/4.0/", true,
            new Localized("可自由复制、分发、改编和商业使用，须注明来源“长春新区公共数据开放平台”。", "Share and adapt for any purpose, including commercially, with attribution to the Changchun New Area open data platform.")),
        new("CC0-1.0", new Localized("CC0 1.0 公有领域贡献", "Creative Commons Zero 1.0 Universal"), "https://creativecommons.org/publicdomain/zero/1.0/", false,
            new Localized("在法律允许范围内放弃全部权利，可不加限制地使用。", "All rights waived to the extent possible under law.")),
        new("ODbL-1.0", new Localized("开放数据库许可协议 1.0", "Open Data Commons Open Database License 1.0"), "https://opendatacommons.org/licenses/odbl/1-0/", false,
            new Localized("可自由使用数据库，须署名，衍生数据库须以相同协议共享。", "Use the database freely with attribution; share derived databases alike.")),
        new("CCXQ-ODL-1.0", new Localized("长春新区公共数据开放许可协议（1.0 版）", "Changchun New Area Public Data Open Licence 1.0"), "https://data.ccxq.gov.cn/license/ccxq-odl-1.0", false,
            new Localized("免费、非排他地使用开放数据，须注明来源、不得歪曲数据、不得用于违法用途。", "Free, non-exclusive use of open data with attribution, without misrepresentation or unlawful use."),
            """
            长春新区公共数据开放许可协议（1.0 版）
            第一条 本协议适用于长春新区公共数据开放平台（以下简称“平台”）以无条件开放或有条件开放方式提供的公共数据。
            第二条 数据提供方授予数据利用主体全球范围内免费、非排他、不可转让的许可，允许其复制、传播、加工和利用所获取的开放数据，包括用于商业目的。
            第三条 数据利用主体在发布、传播或提供基于开放数据的产品和服务时，应当以显著方式注明数据来源“长春新区公共数据开放平台”及数据资源名称和获取日期。
            第四条 数据利用主体不得篡改、歪曲开放数据，不得以暗示平台或数据提供方认可其产品或服务的方式使用开放数据。
            第五条 数据利用主体不得利用开放数据从事危害国家安全、公共利益或侵犯他人合法权益的活动，不得通过关联、比对等方式重新识别个人或单个市场主体。
            第六条 获取有条件开放数据的，还应当遵守数据利用协议和安全承诺书约定的用途、期限和安全措施，期满或用途完成后按约定删除数据。
            第七条 开放数据按“现状”提供。数据提供方对数据利用主体利用开放数据造成的损失不承担责任，但法律另有规定的除外。
            第八条 数据利用主体违反本协议的，平台可暂停或终止其访问，并依法追究相应责任。
            第九条 本协议由长春新区数据局负责解释，自发布之日起施行。
            """),
    ];

    public static readonly IReadOnlyList<Tier> Tiers =
    [
        new("anonymous", new Localized("匿名访问", "Anonymous"), new Localized("无需注册，按客户端 IP 计量，仅可访问无条件开放数据。", "No account; metered per client IP; unconditional data only."), 5, 20, 10_000, false),
        new("registered", new Localized("注册用户", "Registered"), new Localized("实名注册并持有 API 密钥的个人或单位。", "Holders of an API key registered under a real name."), 20, 60, 100_000, true),
        new("research", new Localized("科研用户", "Research"), new Localized("经审核的高校和科研机构。", "Verified universities and research institutes."), 50, 150, 500_000, true),
        new("partner", new Localized("合作伙伴", "Partner"), new Localized("签订数据合作协议的单位和数据开发利用场景承接方。", "Organisations with a data cooperation agreement."), 100, 300, 2_000_000, true),
        new("admin", new Localized("平台管理", "Administrator"), new Localized("平台运营和数据提供部门的管理账号。", "Platform operators and data stewards."), 200, 600, 10_000_000, true),
    ];
}
