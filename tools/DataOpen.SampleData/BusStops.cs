using DataOpen.Core.Catalog;
using static DataOpen.SampleData.Catalog;

namespace DataOpen.SampleData;

/// <summary>Bus stops on a street grid: stops at crossings and mid-block, routes running along and turning between streets.</summary>
public static class BusStops
{
    private static readonly string[] Avenues = ["光谷大街", "硅谷大街", "药谷大街", "盛北大街", "北远达大街", "超然大街", "飞跃大街", "龙翔大街", "长德大街", "空港大街", "航天大街"];
    private static readonly string[] Roads = ["创新路", "博才路", "卓越路", "天河路", "北湖路", "远大路", "新材路", "腾飞路", "兴业路", "汽车路"];
    private static readonly string[] Landmarks = ["人才公寓", "科技大厦", "创业园", "实验学校", "社区服务中心", "体育中心", "医院", "产业园东门", "产业园西门", "公交枢纽", "图书馆", "市民中心", "文化广场", "孵化基地", "研发中心", "物流园"];

    private sealed class Stop(string name, double lon, double lat)
    {
        public string Name { get; } = name;
        public double Lon { get; } = lon;
        public double Lat { get; } = lat;
        public List<string> Routes { get; } = [];
    }

    private static double AvenueLon(int i) => 125.225 + 0.026 * i;

    private static double RoadLat(int j) => 43.860 + 0.020 * j;

    public static GeneratedDataset Dataset()
    {
        var rng = SplitMix64.For("bus-stops");
        var crossings = new Stop[Avenues.Length][];
        for (var i = 0; i < Avenues.Length; i++)
        {
            crossings[i] = new Stop[Roads.Length];
            for (var j = 0; j < Roads.Length; j++)
            {
                crossings[i][j] = new Stop($"{Avenues[i]}{Roads[j]}口", AvenueLon(i) + Jitter(rng), RoadLat(j) + Jitter(rng));
            }
        }
        var usedNames = new HashSet<string>(StringComparer.Ordinal);
        var landmark = 0;
        Stop MidStop(string street, double lon, double lat)
        {
            var name = street + Landmarks[landmark++ % Landmarks.Length];
            while (!usedNames.Add(name))
            {
                name = street + Landmarks[landmark++ % Landmarks.Length];
            }
            return new Stop(name, lon + Jitter(rng), lat + Jitter(rng));
        }
        // Mid-block stops between consecutive crossings, along avenues [i][j→j+1] and roads [j][i→i+1].
        var alongAvenue = new Stop[Avenues.Length][];
        for (var i = 0; i < Avenues.Length; i++)
        {
            alongAvenue[i] = new Stop[Roads.Length - 1];
            for (var j = 0; j < Roads.Length - 1; j++)
            {
                alongAvenue[i][j] = MidStop(Avenues[i], AvenueLon(i), (RoadLat(j) + RoadLat(j + 1)) / 2);
            }
        }
        var alongRoad = new Stop[Roads.Length][];
        for (var j = 0; j < Roads.Length; j++)
        {
            alongRoad[j] = new Stop[Avenues.Length - 1];
            for (var i = 0; i < Avenues.Length - 1; i++)
            {
                alongRoad[j][i] = MidStop(Roads[j], (AvenueLon(i) + AvenueLon(i + 1)) / 2, RoadLat(j));
            }
        }

        for (var r = 1; r <= 26; r++)
        {
            var route = $"新区{r}路";
            var path = new List<Stop>();
            // Start on an avenue, run north or south, then possibly turn onto a road.
            var i = rng.Next(Avenues.Length);
            var j0 = rng.Next(Roads.Length - 4);
            var j1 = rng.Between(j0 + 4, Roads.Length - 1);
            if (rng.Chance(0.5))
            {
                (j0, j1) = (j1, j0);
            }
            var step = j1 > j0 ? 1 : -1;
            for (var j = j0; ; j += step)
            {
                path.Add(crossings[i][j]);
                if (j == j1)
                {
                    break;
                }
                path.Add(alongAvenue[i][Math.Min(j, j + step)]);
            }
            if (rng.Chance(0.6))
            {
                var i1 = rng.Next(Avenues.Length);
                if (i1 != i)
                {
                    var istep = i1 > i ? 1 : -1;
                    for (var k = i; k != i1; k += istep)
                    {
                        path.Add(alongRoad[j1][Math.Min(k, k + istep)]);
                        path.Add(crossings[k + istep][j1]);
                    }
                }
            }
            foreach (var stop in path.Distinct())
            {
                stop.Routes.Add(route);
            }
        }

        var all = crossings.SelectMany(x => x).Concat(alongAvenue.SelectMany(x => x)).Concat(alongRoad.SelectMany(x => x))
            .Where(s => s.Routes.Count > 0)
            .OrderBy(s => s.Lat).ThenBy(s => s.Lon)
            .ToList();
        var csv = new CsvBuilder(["stop_id", "stop_name", "routes", "route_count", "longitude", "latitude", "district", "street"]);
        var n = 0;
        foreach (var s in all)
        {
            var (district, street) = Locate(s.Lon, s.Lat);
            csv.Row($"BS{++n:0000}", s.Name, string.Join(";", s.Routes), Fmt.I(s.Routes.Count), Fmt.F(s.Lon, 6), Fmt.F(s.Lat, 6), district, street);
        }

        var definition = Define(
            "bus-stops",
            "公交站点及途经线路", "Bus stops and the routes serving them",
            "长春新区公交站点编号、名称、途经线路、WGS-84 坐标及所在片区和街道（乡镇）。",
            "Bus stop id, name, routes serving the stop, WGS-84 coordinates, area and sub-district.",
            "transport",
            Themes(["transport", "public-service"], ["public-transit"], ["gb-g"]),
            ["公交", "公交站点", "公交线路", "出行"],
            ["bus", "bus stops", "bus routes", "mobility"],
            OpenClasses.Unconditional, "monthly",
            new TemporalCoverage("2025-12-01"),
            new SourceSpec("bus-stops.csv", "csv", "utf-8"),
            [
                F("stop_id", "站点编号", "Stop id", "text", required: true),
                F("stop_name", "站点名称", "Stop name", "text", required: true),
                F("routes", "途经线路", "Routes", "text", desc: "以英文分号“;”分隔的线路名称。"),
                F("route_count", "途经线路数", "Number of routes", "integer", "条"),
                F("longitude", "经度", "Longitude", "double", "°", "WGS-84 经度"),
                F("latitude", "纬度", "Latitude", "double", "°", "WGS-84 纬度"),
                F("district", "所在片区", "Area", "text", domain: "高新区、北湖科技开发区、长德经济开发区、空港经济开发区"),
                F("street", "街道（乡镇）", "Sub-district", "text"),
            ],
            geo: new GeoSpec("longitude", "latitude"));
        return new GeneratedDataset(definition, Output.Encode(csv.ToString(), "utf-8"), csv.Rows, csv.Header, "CSV, UTF-8");
    }

    private static double Jitter(SplitMix64 rng) => (rng.NextDouble() - 0.5) * 0.0012;

    // The four areas (片区) of the synthetic 长春新区: the same lines place each stop (Locate) and draw the outline
    // the map preview shows (seeds/outline.geojson), so every stop lies inside the area its row names.
    private const double West = 125.20, East = 125.51, South = 43.84, North = 44.06;
    private const double HitechEast = 125.34, HitechNorth = 43.93, BeihuEast = 125.38, BeihuNorth = 44.0, AirportWest = 125.43, AirportSouth = 43.99;

    private static (string District, string Street) Locate(double lon, double lat)
    {
        if (lat < HitechNorth && lon < HitechEast)
        {
            return ("高新区", lon < 125.29 ? "光谷街道" : "硅谷街道");
        }
        if (lat < BeihuNorth && lon < BeihuEast)
        {
            return ("北湖科技开发区", lat < 43.965 ? "药谷街道" : "北湖街道");
        }
        if (lon >= AirportWest && lat >= AirportSouth)
        {
            return ("空港经济开发区", "龙翔街道");
        }
        return ("长德经济开发区", lat > 44.02 ? "奋进乡" : "长德街道");
    }

    /// <summary>
    /// The areas of the synthetic 长春新区 as a GeoJSON FeatureCollection (RFC 7946: WGS-84, exterior rings
    /// counter-clockwise): one Polygon per area with its Chinese and English name. Synthetic like the data.
    /// </summary>
    public static object Outline()
    {
        static object Area(string id, string zh, string en, params (double Lon, double Lat)[] ring) => new
        {
            type = "Feature",
            id,
            properties = new { name = zh, nameEn = en },
            geometry = new { type = "Polygon", coordinates = new[] { ring.Append(ring[0]).Select(p => new[] { p.Lon, p.Lat }).ToArray() } },
        };
        return new
        {
            type = "FeatureCollection",
            name = "长春新区（合成样例片区边界）",
            features = new[]
            {
                Area("hitech", "高新区", "High-tech Zone", (West, South), (HitechEast, South), (HitechEast, HitechNorth), (West, HitechNorth)),
                Area("beihu", "北湖科技开发区", "Beihu Science and Technology Development Zone",
                    (HitechEast, South), (BeihuEast, South), (BeihuEast, BeihuNorth), (West, BeihuNorth), (West, HitechNorth), (HitechEast, HitechNorth)),
                Area("changde", "长德经济开发区", "Changde Economic Development Zone",
                    (BeihuEast, South), (East, South), (East, AirportSouth), (AirportWest, AirportSouth), (AirportWest, North), (West, North), (West, BeihuNorth), (BeihuEast, BeihuNorth)),
                Area("airport", "空港经济开发区", "Airport Economic Development Zone", (AirportWest, AirportSouth), (East, AirportSouth), (East, North), (AirportWest, North)),
            },
        };
    }
}
