using System.Globalization;
using System.Text;
using DataOpen.Core.Catalog;
using static DataOpen.SampleData.Catalog;

namespace DataOpen.SampleData;

/// <summary>
/// Hourly air quality with HJ 633-2012 AQI. Seasonal and diurnal shapes come from tables and linear
/// interpolation, noise from SplitMix64 and an AR(1) "weather" process shared by all stations, so
/// neighbouring stations move together and pollution episodes last days, as in real monitoring data.
/// </summary>
public static class AirQuality
{
    // Monthly levels (Jan..Dec) typical of Changchun: coal heating from mid-October to mid-April.
    private static readonly double[] Pm25Month = [54, 45, 35, 28, 22, 19, 17, 17, 20, 28, 42, 51];
    private static readonly double[] Pm10Ratio = [1.45, 1.55, 1.95, 2.15, 2.0, 1.75, 1.65, 1.65, 1.70, 1.75, 1.55, 1.45];
    private static readonly double[] So2Month = [22, 18, 13, 8, 6, 5, 5, 5, 6, 9, 16, 21];
    private static readonly double[] No2Month = [38, 34, 30, 26, 22, 19, 18, 19, 23, 30, 36, 39];
    private static readonly double[] CoMonth = [1.15, 1.0, 0.8, 0.6, 0.5, 0.45, 0.45, 0.5, 0.55, 0.7, 0.95, 1.1];
    private static readonly double[] O3Month = [42, 55, 72, 92, 118, 132, 122, 108, 88, 62, 44, 38];

    private static readonly double[] PmHour = [1.08, 1.10, 1.10, 1.08, 1.05, 1.03, 1.05, 1.10, 1.12, 1.05, 0.95, 0.88, 0.82, 0.78, 0.76, 0.78, 0.85, 0.95, 1.05, 1.12, 1.16, 1.16, 1.14, 1.10];
    private static readonly double[] No2Hour = [1.05, 1.0, 0.95, 0.9, 0.88, 0.92, 1.05, 1.25, 1.30, 1.15, 0.98, 0.85, 0.78, 0.74, 0.74, 0.78, 0.88, 1.05, 1.25, 1.30, 1.22, 1.15, 1.10, 1.08];
    private static readonly double[] O3Hour = [0.55, 0.50, 0.47, 0.45, 0.44, 0.45, 0.50, 0.62, 0.78, 0.95, 1.12, 1.28, 1.42, 1.52, 1.56, 1.52, 1.42, 1.25, 1.05, 0.88, 0.75, 0.67, 0.62, 0.58];

    // HJ 633-2012 table 1: IAQI breakpoints. PM10 and PM2.5 have no 1-hour limits, so hourly reports use the 24-hour ones.
    private static readonly int[] Iaqi = [0, 50, 100, 150, 200, 300, 400, 500];
    private static readonly double[] So2Bp = [0, 150, 500, 650, 800];
    private static readonly double[] No2Bp = [0, 100, 200, 700, 1200, 2340, 3090, 3840];
    private static readonly double[] Pm10Bp = [0, 50, 150, 250, 350, 420, 500, 600];
    private static readonly double[] CoBp = [0, 5, 10, 35, 60, 90, 120, 150];
    private static readonly double[] O3Bp = [0, 160, 200, 300, 400, 800, 1000, 1200];
    private static readonly double[] Pm25Bp = [0, 35, 75, 115, 150, 250, 350, 500];

    public static readonly DateOnly First = new(2023, 1, 1);
    public static readonly DateOnly Last = new(2025, 12, 31);

    public static GeneratedDataset Dataset()
    {
        var rng = SplitMix64.For("air-quality-hourly");
        var stations = Reference.Stations;
        var stationNoise = new double[stations.Count];
        var regional = 0.0;
        var dust = 0.0;
        var csv = new CsvBuilder(["station_code", "station_name", "observed_at", "aqi", "pm2_5", "pm10", "so2", "no2", "co", "o3", "primary_pollutant", "quality_level"]);
        for (var day = First; day <= Last; day = day.AddDays(1))
        {
            var yearTrend = day.Year switch { 2023 => 1.0, 2024 => 0.95, _ => 0.91 };
            var heating = day.Month >= 11 || day.Month <= 3 || (day.Month == 10 && day.Day >= 15) || (day.Month == 4 && day.Day <= 15);
            // Late-October straw burning raises PM in the north-east plain.
            var burning = (day.Month == 10 && day.Day >= 25) || (day.Month == 11 && day.Day <= 8) ? 1.3 : 1.0;
            var spring = day.Month is >= 3 and <= 5;
            for (var hour = 0; hour < 24; hour++)
            {
                regional = 0.985 * regional + 0.05 * rng.Normal();
                dust = spring ? Math.Max(0, 0.97 * dust + 0.06 * rng.Normal()) : 0.9 * dust;
                var episode = regional >= 0 ? 1 + 1.5 * regional : 1 / (1 - 1.2 * regional);
                var p = MonthPosition(day, hour);
                var observedAt = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T" + hour.ToString("00", CultureInfo.InvariantCulture) + ":00:00+08:00";
                for (var s = 0; s < stations.Count; s++)
                {
                    var st = stations[s];
                    stationNoise[s] = 0.9 * stationNoise[s] + 0.04 * rng.Normal();
                    var local = Math.Max(0.5, 1 + stationNoise[s]);
                    var pm25 = Interp(Pm25Month, p) * (heating ? 1.15 : 1.0) * burning * yearTrend * PmHour[hour] * episode * st.Pm * local * (1 + 0.08 * rng.Normal());
                    pm25 = Math.Max(3, pm25);
                    var pm10 = Math.Max(pm25 + 2, pm25 * Interp(Pm10Ratio, p) * (1 + 0.06 * rng.Normal()) + 120 * dust);
                    var damped = 1 + (episode - 1) * 0.6;
                    var so2 = Math.Max(2, Interp(So2Month, p) * (heating ? 1.25 : 1.0) * yearTrend * (1 + (episode - 1) * 0.5) * st.Pm * (1 + 0.15 * rng.Normal()));
                    var no2 = Math.Max(3, Interp(No2Month, p) * No2Hour[hour] * st.No2 * damped * local * (1 + 0.1 * rng.Normal()));
                    var co = Math.Max(0.2, Interp(CoMonth, p) * PmHour[hour] * damped * st.Pm * (1 + 0.08 * rng.Normal()));
                    var o3 = Math.Max(2, Interp(O3Month, p) * O3Hour[hour] * (1.15 - 0.15 * st.No2) * (1 + 0.12 * rng.Normal()));

                    var v25 = Fmt.Round(pm25);
                    var v10 = Fmt.Round(pm10);
                    var vSo2 = Fmt.Round(so2);
                    var vNo2 = Fmt.Round(no2);
                    var vCo = Fmt.Dec(co, 1);
                    var vO3 = Fmt.Round(o3);
                    var (aqi, primary, level) = Aqi(v25, v10, vSo2, vNo2, (double)vCo, vO3);
                    csv.Row(st.Code, st.Zh, observedAt, Fmt.I(aqi), Fmt.I(v25), Fmt.I(v10), Fmt.I(vSo2), Fmt.I(vNo2), vCo.ToString("0.0", CultureInfo.InvariantCulture), Fmt.I(vO3), primary, level);
                }
            }
        }

        var definition = Define(
            "air-quality-hourly",
            "长春新区空气质量小时数据（2023—2025）", "Hourly air quality by monitoring station, 2023–2025",
            $"长春新区 {stations.Count} 个环境空气质量监测站点 2023 年 1 月 1 日至 2025 年 12 月 31 日逐小时的六项污染物浓度、空气质量指数（AQI）、首要污染物和空气质量级别，AQI 按 HJ 633-2012 计算（PM2.5、PM10 使用 24 小时浓度限值分段）。冬季采暖期（10 月 15 日至次年 4 月 15 日）PM2.5 和 SO2 明显偏高，春季受沙尘影响 PM10 偏高，夏季午后臭氧偏高。",
            $"Hourly concentrations of six pollutants, AQI (HJ 633-2012), primary pollutant and quality level at {stations.Count} monitoring stations of Changchun New Area from 2023-01-01 to 2025-12-31. PM2.5 and SO2 rise in the heating season (15 Oct – 15 Apr), PM10 in spring dust, ozone on summer afternoons.",
            "ecology-environment",
            Themes(["environment"], ["air-quality"], ["gb-n"]),
            ["空气", "空气质量", "AQI", "PM2.5", "臭氧", "环境监测"],
            ["air", "air quality", "AQI", "PM2.5", "ozone", "environmental monitoring"],
            OpenClasses.Unconditional, "real-time",
            new TemporalCoverage("2023-01-01", "2025-12-31"),
            new SourceSpec("air-quality-hourly.csv", "csv", "utf-8"),
            [
                F("station_code", "站点编码", "Station code", "text", required: true, domain: string.Join("、", stations.Select(s => s.Code))),
                F("station_name", "站点名称", "Station name", "text"),
                F("observed_at", "监测时间", "Observed at", "timestamp", desc: "整点时间，东八区（+08:00）。", required: true),
                F("aqi", "空气质量指数", "AQI", "integer", desc: "各项污染物空气质量分指数（IAQI）的最大值（HJ 633-2012）。", domain: "0–500"),
                F("pm2_5", "细颗粒物（PM2.5）", "PM2.5", "integer", "μg/m³", "1 小时平均浓度。"),
                F("pm10", "可吸入颗粒物（PM10）", "PM10", "integer", "μg/m³", "1 小时平均浓度。"),
                F("so2", "二氧化硫（SO2）", "SO2", "integer", "μg/m³", "1 小时平均浓度。"),
                F("no2", "二氧化氮（NO2）", "NO2", "integer", "μg/m³", "1 小时平均浓度。"),
                F("co", "一氧化碳（CO）", "CO", "decimal", "mg/m³", "1 小时平均浓度，保留 1 位小数。"),
                F("o3", "臭氧（O3）", "O3", "integer", "μg/m³", "1 小时平均浓度。"),
                F("primary_pollutant", "首要污染物", "Primary pollutant", "text", desc: "AQI 大于 50 时 IAQI 最大的污染物，并列时以“、”分隔；AQI 不大于 50 时为空。", domain: "PM2.5、PM10、SO2、NO2、CO、O3"),
                F("quality_level", "空气质量级别", "Quality level", "text", domain: "优、良、轻度污染、中度污染、重度污染、严重污染"),
            ]) with
        {
            // The query every peer benchmark uses: one station, newest first.
            Indexes = [new IndexDeclaration(["station_code", "-observed_at"])],
        };
        return new GeneratedDataset(definition, Output.Encode(csv.ToString(), "utf-8"), csv.Rows, csv.Header, "CSV, UTF-8 (no BOM)");
    }

    /// <summary>Position in months where 0.0 is the middle of January, for interpolating monthly tables.</summary>
    private static double MonthPosition(DateOnly day, int hour)
    {
        var daysInMonth = DateTime.DaysInMonth(day.Year, day.Month);
        var p = day.Month - 1 + (day.Day - 1 + hour / 24.0) / daysInMonth - 0.5;
        return p < 0 ? p + 12 : p;
    }

    private static double Interp(double[] table, double p)
    {
        var i = (int)Math.Floor(p);
        var f = p - i;
        return table[i % 12] * (1 - f) + table[(i + 1) % 12] * f;
    }

    public static int SubIndex(double c, double[] bp)
    {
        for (var i = 1; i < bp.Length; i++)
        {
            if (c <= bp[i])
            {
                return (int)Math.Ceiling((Iaqi[i] - Iaqi[i - 1]) / (bp[i] - bp[i - 1]) * (c - bp[i - 1]) + Iaqi[i - 1]);
            }
        }
        return 500;
    }

    public static (int Aqi, string Primary, string Level) Aqi(double pm25, double pm10, double so2, double no2, double co, double o3)
    {
        (string Name, int Value)[] parts =
        [
            ("PM2.5", SubIndex(pm25, Pm25Bp)),
            ("PM10", SubIndex(pm10, Pm10Bp)),
            ("SO2", SubIndex(so2, So2Bp)),
            ("NO2", SubIndex(no2, No2Bp)),
            ("CO", SubIndex(co, CoBp)),
            ("O3", SubIndex(o3, O3Bp)),
        ];
        var aqi = parts.Max(x => x.Value);
        var primary = aqi > 50 ? string.Join("、", parts.Where(x => x.Value == aqi).Select(x => x.Name)) : "";
        var level = aqi switch
        {
            <= 50 => "优",
            <= 100 => "良",
            <= 150 => "轻度污染",
            <= 200 => "中度污染",
            <= 300 => "重度污染",
            _ => "严重污染",
        };
        return (aqi, primary, level);
    }
}
