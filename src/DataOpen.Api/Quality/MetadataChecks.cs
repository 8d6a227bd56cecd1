using DataOpen.Api.Catalog;
using DataOpen.Core.Catalog;

namespace DataOpen.Api.Quality;

/// <summary>The checks that read only the catalogue: metadata completeness, field documentation, formats, licence, schedule, key.</summary>
public static class MetadataChecks
{
    /// <summary>Licences that meet the Open Definition: anyone may use, change and share the data.</summary>
    public static readonly IReadOnlySet<string> OpenLicences = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0", "ODbL-1.0", "ODC-By-1.0", "PDDL-1.0", "OGL-UK-3.0", "GODL-1.0",
    };

    /// <summary>Formats every version is downloadable in; all are machine-readable and open.</summary>
    public static readonly IReadOnlyList<string> MachineReadable = ["csv", "json", "jsonl", "parquet", "xlsx"];

    public static IEnumerable<QualityCheck> Run(DatasetEntry dataset, VersionInfo version, CatalogSnapshot snapshot, DateTimeOffset now)
    {
        var m = dataset.Metadata;
        yield return Completeness(m, snapshot);
        yield return FieldDocumentation(version.Shape);
        yield return new QualityCheck("formats", 1, 1,
            new Localized($"可下载为机器可读的开放格式：{string.Join("、", MachineReadable)}{(m.Geo is null ? "" : "、geojson")}。",
                $"Downloadable in open machine-readable formats: {string.Join(", ", MachineReadable)}{(m.Geo is null ? "" : ", geojson")}."), null);
        var open = OpenLicences.Contains(m.License);
        yield return new QualityCheck("licence", open ? 1 : 0, 2,
            open ? new Localized($"开放许可 {m.License}。", $"Open licence {m.License}.") : new Localized($"许可 {m.License} 不是公认的开放许可。", $"Licence {m.License} is not a recognised open licence."),
            open ? null : new Localized("改用 CC-BY-4.0、CC0-1.0 或 ODbL-1.0 等开放许可。", "Use an open licence such as CC-BY-4.0, CC0-1.0 or ODbL-1.0."));
        var onTime = UpdateSchedule.OnTime(m.UpdateFrequency, dataset.Modified, now);
        yield return new QualityCheck("schedule", onTime is null ? null : onTime.Value ? 1 : 0, 2,
            onTime switch
            {
                null => new Localized($"更新频率“{m.UpdateFrequency}”没有固定周期，不检查。", $"Update frequency '{m.UpdateFrequency}' has no schedule; not checked."),
                true => new Localized("按声明的更新频率按时更新。", "Updated on the declared schedule."),
                false => new Localized($"已超过声明的更新频率“{m.UpdateFrequency}”未更新。", $"Overdue for its declared update frequency '{m.UpdateFrequency}'."),
            },
            onTime == false ? new Localized("发布新版本，或把更新频率改为实际频率。", "Publish a new version, or declare the frequency it really has.") : null);
        yield return Key(version);
    }

    /// <summary>
    /// Key uniqueness: a version published with a declared primaryKey has unique, non-null keys (publishing rejects duplicates and
    /// nulls and builds the unique index <c>{table}_key</c>), so it passes; a version without one has no key to check and fails.
    /// </summary>
    public static QualityCheck Key(VersionInfo version)
    {
        if (version.PrimaryKey is { Count: > 0 } key)
        {
            var names = string.Join(", ", key);
            return new QualityCheck("key", 1, 2,
                new Localized($"主键（{string.Join("、", key)}）唯一且无空值：发布时已校验，并由唯一索引保证。",
                    $"The primary key ({names}) is unique and never null: checked at publish and held by a unique index."), null);
        }

        return new QualityCheck("key", 0, 2,
            new Localized("没有声明主键（primaryKey），无法确认每行唯一，也不能按键取行。", "No primary key (primaryKey) is declared: rows cannot be checked for uniqueness or looked up by key."),
            new Localized("在 dataset.json 中声明 primaryKey（一个字段名或字段名列表，如 \"stop_id\" 或 [\"station_code\", \"observed_at\"]）后重新发布；发布会拒绝重复和空值（见 docs/indexes.md 的“Keys”）。",
                "Declare primaryKey in dataset.json (a field name or a list, e.g. \"stop_id\" or [\"station_code\", \"observed_at\"]) and publish again; publishing rejects duplicates and nulls (see Keys in docs/indexes.md)."));
    }

    private static QualityCheck Completeness(DatasetDefinition m, CatalogSnapshot snapshot)
    {
        var items = new (string Name, bool Present)[]
        {
            ("title.en", !string.IsNullOrWhiteSpace(m.Title.En)),
            ("description.en", !string.IsNullOrWhiteSpace(m.Description.En)),
            ("keywords", m.Keywords.Zh.Count > 0),
            ("keywords.en", m.Keywords.En is { Count: > 0 }),
            ("themes", m.Themes.Count > 0 && m.Themes.All(t => t.Value.Count > 0)),
            ("contactPoint", m.ContactPoint is { } c && (!string.IsNullOrWhiteSpace(c.Email) || !string.IsNullOrWhiteSpace(c.Phone))),
            ("temporalCoverage", m.TemporalCoverage is not null),
            ("spatialCoverage", m.SpatialCoverage is not null),
            ("publisher", snapshot.PublishersById.ContainsKey(m.Publisher)),
            ("license", snapshot.Licenses.Any(l => l.Id == m.License)),
        };
        var missing = items.Where(i => !i.Present).Select(i => i.Name).ToList();
        var score = (items.Length - missing.Count) / (double)items.Length;
        return new QualityCheck("metadata", score, 3,
            missing.Count == 0 ? new Localized("目录元数据完整。", "Catalogue metadata is complete.")
                : new Localized($"缺少目录字段：{string.Join("、", missing)}。", $"Missing catalogue fields: {string.Join(", ", missing)}."),
            missing.Count == 0 ? null : new Localized("在 dataset.json 中补全这些字段后重新发布。", "Add these fields to dataset.json and publish again."));
    }

    private static QualityCheck FieldDocumentation(TableShape shape)
    {
        var fields = shape.Fields;
        var undocumented = fields.Where(f => string.IsNullOrWhiteSpace(f.Description) || string.IsNullOrWhiteSpace(f.TitleZh)).Select(f => f.Name).ToList();
        var measures = fields.Where(f => f.Type is FieldType.Integer or FieldType.BigInt or FieldType.Decimal or FieldType.Double).ToList();
        var noUnit = measures.Where(f => string.IsNullOrWhiteSpace(f.Unit)).Select(f => f.Name).ToList();
        var total = fields.Count + measures.Count;
        var score = total == 0 ? 1 : (total - undocumented.Count - noUnit.Count) / (double)total;
        var detail = undocumented.Count == 0 && noUnit.Count == 0
            ? new Localized("每个字段都有中文名称和说明，数值字段都有计量单位。", "Every field has a Chinese title and a description; every numeric field a unit.")
            : new Localized($"缺少名称或说明的字段：{Join(undocumented)}；缺少单位的数值字段：{Join(noUnit)}。",
                $"Fields without title or description: {Join(undocumented)}; numeric fields without a unit: {Join(noUnit)}.");
        return new QualityCheck("fieldDocs", score, 2, detail,
            score < 1 ? new Localized("在 dataset.json 的 fields 中补写 title、description 和 unit（计数可写“个”“人”等）。", "Add title, description and unit to the fields in dataset.json (counts take units such as items or persons).") : null);
    }

    private static string Join(List<string> names) => names.Count == 0 ? "—" : string.Join(", ", names);
}
