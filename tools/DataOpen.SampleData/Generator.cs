using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataOpen.Core.Catalog;
using Json.Schema;
using MiniExcelLibs;

namespace DataOpen.SampleData;

public static class Generator
{
    public static readonly string[] Roots = ["datasets", "seeds"];

    public static List<GeneratedDataset> Run(Output output)
    {
        output.WriteJson("seeds/publishers.json", Reference.Publishers);
        output.WriteJson("seeds/themes.json", Reference.ThemeSchemes);
        output.WriteJson("seeds/licenses.json", Reference.Licenses);
        output.WriteJson("seeds/tiers.json", Reference.Tiers);
        output.WriteJson("seeds/parks.json", Reference.Parks.Select(p => new { p.Id, Name = new Localized(p.Zh, p.En), p.Track, p.Longitude, p.Latitude, p.AreaKm2, p.Established, p.Publisher, p.Address }));
        output.WriteJson("seeds/monitoring-stations.json", Reference.Stations.Select(s => new { s.Code, Name = new Localized(s.Zh, s.En), s.Longitude, s.Latitude, s.Kind }));
        output.WriteJson("seeds/tracks.json", Reference.Tracks.Select(t => new { t.Code, Name = new Localized(t.Zh, t.En), GbSection = t.Section }));
        output.WriteJson("seeds/outline.geojson", BusStops.Outline());
        output.Write("seeds/README.md", Output.Utf8NoBom.GetBytes(SeedsReadme));

        var enterprises = Enterprises.Generate(2000);
        List<GeneratedDataset> datasets =
        [
            Enterprises.EnterpriseDataset(enterprises),
            Enterprises.ParkDataset(enterprises),
            Enterprises.PlatformDataset(enterprises),
            AirQuality.Dataset(),
            BusStops.Dataset(),
            Policy.PolicyMeasures(),
            Policy.TalentRecognitions(),
            Policy.RdSubsidies(),
            Policy.ComputeVouchers(),
            Policy.Scenarios(),
            Restricted.EnergyConsumption(enterprises),
            Restricted.TaxDetails(enterprises),
        ];
        datasets = datasets.Select(d => d with { Definition = d.Definition with { PrimaryKey = Catalog.NaturalKeys[d.Definition.Identifier] } }).ToList();
        datasets.Sort((a, b) => string.CompareOrdinal(a.Definition.Identifier, b.Definition.Identifier));
        foreach (var d in datasets)
        {
            var dir = $"datasets/{d.Definition.Identifier}/";
            output.WriteJson(dir + "dataset.json", d.Definition);
            output.Write(dir + d.Definition.Source.File, d.Data);
        }
        output.Write("datasets/README.md", Output.Utf8NoBom.GetBytes(DatasetsReadme(datasets)));
        return datasets;
    }

    /// <summary>Checks the credit-code algorithms against codes published by real enterprises before trusting them.</summary>
    public static List<string> SelfCheck()
    {
        var problems = new List<string>();
        string[] known = ["91350100M000100Y43", "91440300708461136T", "91330100716105852F", "91110108551385082Q", "9111000071093123XX"];
        foreach (var code in known)
        {
            if (!CreditCode.IsValid(code))
            {
                problems.Add($"Self-check: known valid credit code {code} was rejected.");
            }
            var wrong18 = code[..17] + CreditCode.Charset[(CreditCode.Charset.IndexOf(code[17], StringComparison.Ordinal) + 1) % 31];
            var wrong17 = code[..16] + (code[16] == '1' ? '2' : '1') + code[17];
            if (CreditCode.IsValid(wrong18) || CreditCode.IsValid(wrong17))
            {
                problems.Add($"Self-check: a corrupted variant of {code} was accepted.");
            }
        }
        return problems;
    }

    /// <summary>Checks what the JSON Schema cannot: references into seeds/, headers of the data files, credit codes.</summary>
    public static List<string> CrossCheck(IReadOnlyList<GeneratedDataset> datasets)
    {
        var problems = new List<string>();
        var themeCodes = Reference.ThemeSchemes.ToDictionary(s => s.Id, s => s.Themes.Select(t => t.Code).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var scheme in Reference.ThemeSchemes)
        {
            foreach (var t in scheme.Themes.Where(t => t.Parent is not null && !themeCodes[scheme.Id].Contains(t.Parent)))
            {
                problems.Add($"seeds/themes.json: theme {scheme.Id}/{t.Code} has unknown parent '{t.Parent}'.");
            }
        }
        foreach (var d in datasets)
        {
            var def = d.Definition;
            var where = $"datasets/{def.Identifier}/dataset.json";
            if (!Reference.Publishers.Any(p => p.Id == def.Publisher))
            {
                problems.Add($"{where}: publisher '{def.Publisher}' is not in seeds/publishers.json.");
            }
            if (!Reference.Licenses.Any(l => l.Id == def.License))
            {
                problems.Add($"{where}: license '{def.License}' is not in seeds/licenses.json.");
            }
            if (def.Themes.Count < 2)
            {
                problems.Add($"{where}: themes on {def.Themes.Count} axis; at least 2 are expected.");
            }
            foreach (var (axis, codes) in def.Themes)
            {
                if (!themeCodes.TryGetValue(axis, out var known))
                {
                    problems.Add($"{where}: theme axis '{axis}' is not in seeds/themes.json.");
                    continue;
                }
                problems.AddRange(codes.Where(c => !known.Contains(c)).Select(c => $"{where}: theme '{axis}/{c}' is not in seeds/themes.json."));
            }
            if (d.Rows == 0)
            {
                problems.Add($"{where}: the data file has no rows.");
            }
            var header = d.Header.ToHashSet(StringComparer.Ordinal);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var f in def.Fields ?? [])
            {
                if (!names.Add(f.Name))
                {
                    problems.Add($"{where}: field '{f.Name}' is declared twice.");
                }
                if (!header.Contains(f.Source ?? f.Name))
                {
                    problems.Add($"{where}: field '{f.Name}' refers to column '{f.Source ?? f.Name}', which is not in {def.Source.File}.");
                }
            }
            if (def.Fields is null || def.Fields.Count != d.Header.Count)
            {
                problems.Add($"{where}: {def.Fields?.Count ?? 0} fields declared for {d.Header.Count} columns.");
            }
            if (def.Geo is { } geo && !(names.Contains(geo.Longitude) && names.Contains(geo.Latitude)))
            {
                problems.Add($"{where}: geo refers to fields that are not declared.");
            }
        }
        foreach (var d in datasets.Where(d => d.Definition.Source.EffectiveFormat == "xlsx"))
        {
            // Read the repacked workbook back, as ingest will, to prove the archive is intact.
            using var stream = new MemoryStream(d.Data);
            var rows = MiniExcel.Query(stream, useHeaderRow: true, sheetName: d.Definition.Source.Sheet).Cast<IDictionary<string, object?>>().ToList();
            if (rows.Count != d.Rows || !rows[0].Keys.SequenceEqual(d.Header))
            {
                problems.Add($"datasets/{d.Definition.Identifier}/{d.Definition.Source.File}: read back {rows.Count} rows with columns [{string.Join(", ", rows.FirstOrDefault()?.Keys ?? [])}], expected {d.Rows} rows.");
            }
        }
        var enterprises = datasets.Single(d => d.Definition.Identifier == "digital-real-enterprises");
        var text = Encoding.GetEncoding("GBK").GetString(enterprises.Data);
        foreach (var line in text.Split('\n').Skip(1).Where(l => l.Length > 0))
        {
            var code = line.Split(',')[1];
            if (!CreditCode.IsValid(code))
            {
                problems.Add($"datasets/digital-real-enterprises/enterprises.csv: invalid credit code {code}.");
            }
        }
        return problems;
    }

    /// <summary>Re-reads every written dataset.json and evaluates it against the catalog's JSON Schema.</summary>
    public static List<string> ValidateAgainstSchema(string outRoot, string schemaPath, IReadOnlyList<GeneratedDataset> datasets)
    {
        var problems = new List<string>();
        var schema = JsonSchema.FromText(File.ReadAllText(schemaPath));
        var options = new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
        foreach (var d in datasets)
        {
            var rel = $"datasets/{d.Definition.Identifier}/dataset.json";
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outRoot, rel)));
            var result = schema.Evaluate(doc.RootElement, options);
            if (result.IsValid)
            {
                continue;
            }
            var details = result.Details ?? [];
            var any = false;
            // Failures under an "if" only choose the branch; they are not violations.
            foreach (var detail in details.Where(x => x.Errors is { Count: > 0 } && !x.EvaluationPath.ToString().Split('/').Contains("if")))
            {
                foreach (var (keyword, message) in detail.Errors!)
                {
                    problems.Add($"{rel}: {detail.InstanceLocation} ({keyword} at {detail.EvaluationPath}): {message}");
                    any = true;
                }
            }
            if (!any)
            {
                problems.Add($"{rel}: does not validate against dataset.schema.json.");
            }
        }
        return problems;
    }

    public static List<string> Compare(string generatedRoot, string repoRoot, IReadOnlySet<string> written)
    {
        var drift = new List<string>();
        foreach (var rel in written)
        {
            var committed = Path.Combine(repoRoot, rel);
            if (!File.Exists(committed))
            {
                drift.Add($"missing: {rel}");
            }
            else if (!File.ReadAllBytes(committed).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(generatedRoot, rel))))
            {
                drift.Add($"differs: {rel}");
            }
        }
        drift.AddRange(Existing(repoRoot).Where(f => !written.Contains(f)).Select(f => $"not generated: {f}"));
        return drift;
    }

    public static List<string> RemoveStale(string repoRoot, IReadOnlySet<string> written)
    {
        var stale = Existing(repoRoot).Where(f => !written.Contains(f)).ToList();
        foreach (var f in stale)
        {
            File.Delete(Path.Combine(repoRoot, f));
        }
        return stale;
    }

    /// <summary>
    /// Files under seeds/ this generator does not write: the disclosure-control generator's (confidential microdata and
    /// table definitions), and the official holiday arrangements, which are real data kept by hand.
    /// </summary>
    private static readonly string[] OwnedElsewhere = ["seeds/restricted/", "seeds/statistics-tables.json", "seeds/work-calendar.json"];

    private static IEnumerable<string> Existing(string root) =>
        Roots.Select(r => Path.Combine(root, r)).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !OwnedElsewhere.Any(o => f.StartsWith(o, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal);

    private static string DatasetsReadme(IReadOnlyList<GeneratedDataset> datasets)
    {
        var sb = new StringBuilder();
        sb.Append("# Sample datasets\n\n")
          .Append("Synthetic sample data (合成样例数据) of 长春新区公共数据开放平台, generated by `tools/DataOpen.SampleData`.\n")
          .Append("Do not edit by hand: change the generator, run `dotnet run --project tools/DataOpen.SampleData -- .` and commit;\n")
          .Append("`-- . --check` fails when these files drift from the generator.\n\n")
          .Append("Each folder holds `dataset.json` (catalogue metadata, validated against `src/DataOpen.Core/Catalog/dataset.schema.json`) and one data file.\n\n")
          .Append("| identifier | title | file | format / encoding | rows | open class |\n")
          .Append("|---|---|---|---|---:|---|\n");
        foreach (var d in datasets)
        {
            var def = d.Definition;
            sb.Append("| ").Append(def.Identifier)
              .Append(" | ").Append(def.Title.Zh).Append(" (").Append(def.Title.En).Append(')')
              .Append(" | ").Append(def.Source.File)
              .Append(" | ").Append(d.FormatNote)
              .Append(" | ").Append(Fmt.I(d.Rows))
              .Append(" | ").Append(def.OpenClass)
              .Append(" |\n");
        }
        return sb.ToString();
    }

    private const string SeedsReadme = """
        # Seeds

        Reference records loaded into the catalog before `datasets/`; generated by `tools/DataOpen.SampleData`
        (do not edit by hand). All names and contacts are synthetic.

        | file | contents |
        |---|---|
        | publishers.json | Providing departments (数据提供方) of 长春新区: `id` (used by `dataset.json` `publisher`), `name` and `description` (zh/en), `contactPoint` (name, email, phone), `website`. |
        | themes.json | Theme schemes, one per axis (`id`: `domain` 数据领域, `industry` 行业分类 = GB/T 4754 sections with the policy's tracks as children, `subject` 资源分类); each theme has `code`, `label` (zh/en) and optional `parent`. `dataset.json` `themes` maps axis id to codes. |
        | licenses.json | Licences: `id` (used by `dataset.json` `license`), `title` (zh/en), `url`, `default` (CC-BY-4.0), `summary`, and the full `text` of 长春新区公共数据开放许可协议. |
        | tiers.json | API access tiers: `id` (anonymous, registered, research, partner, admin), `name`, `description`, `ratePerSecond` (token refill), `burst` (bucket size), `dailyQuota` (requests per day), `requiresKey`. |
        | outline.geojson | The areas (片区) of the synthetic 长春新区 as a GeoJSON FeatureCollection (one Polygon per area, `name` zh and `nameEn`): the outline the map preview draws (`DataOpen:Map:OutlinePath`); the bus stops are placed by the same lines. |
        | parks.json | Featured industrial parks: `id`, names, leading `track`, WGS-84 `longitude`/`latitude`, `areaKm2`, `established`, managing `publisher`, `address`. |
        | tracks.json | The policy's digital-real integration tracks (赛道): `code` (same as the `industry` theme code), `name`, `gbSection` (parent GB/T 4754 section theme). |
        | monitoring-stations.json | Air-quality monitoring stations used by `air-quality-hourly`: `code`, `name`, coordinates, `kind` (城市点/交通点/工业点/背景点). |

        Not generated, kept by hand: `work-calendar.json`, the official public-holiday arrangements (国务院办公厅部分节假日安排的通知)
        used for application due dates: per `year`, the `notice` and date `issued`, `holidays` (`name`, `from`, `to`) and
        `workdays` (adjusted working weekend days, 调休上班: `date`, `for`). Add each new year when its notice is published.

        """;
}
