using System.Globalization;
using System.Text.Json;
using MiniExcelLibs;

namespace DataOpen.Disclosure.Synthetic;

/// <summary>One clause of the published policy dataset (datasets/policy-measures), as far as the rules need it.</summary>
/// <param name="Track">"通用" (every track) or the one track the clause applies to.</param>
public sealed record PolicyClause(
    string Id,
    string Track,
    string Measure,
    decimal? SupportRate,
    decimal? CapPerProject,
    decimal? CapPerEnterpriseYear,
    DateOnly? EffectiveOn);

/// <summary>A support measure of the district's 数实融合新赛道 policy and its limits (null = no such limit).</summary>
/// <param name="Id">The clause id in the policy dataset (e.g. XQSS-01).</param>
/// <param name="Track">The only track the measure applies to, or null for every track.</param>
/// <param name="MaxShare">Largest grant as a share of the record's base amount (contract fee, investment, project amount).</param>
/// <param name="BaseLabel">What the share is of, for messages ("contract fee").</param>
public sealed record PolicyMeasure(
    string Id,
    string Name,
    string? Track,
    decimal? MaxShare,
    string BaseLabel,
    decimal? MaxPerProject,
    decimal? MaxPerEnterprisePerYear,
    DateOnly? EffectiveOn = null);

/// <summary>One rule a record breaks, citing the measure and the rule.</summary>
public sealed record PolicyViolation(string RecordKind, string RecordId, string MeasureId, string MeasureName, string Rule, string Detail)
{
    public string Message => $"{RecordKind} {RecordId}: measure {MeasureId} ({MeasureName}) rule '{Rule}' broken: {Detail}";

    public override string ToString() => Message;
}

/// <summary>
/// The policy's measures and limits that every confidential record must respect when loaded. Built from the
/// clauses of the published policy dataset, so the rules enforced on the microdata are the rules the public reads.
/// Clauses are assigned to the record kinds by their measure name: the clause whose name contains 配套 governs
/// district matching, 人才认定奖励（A类）… govern talent awards of the levels in the brackets, 首违不罚 and
/// 包容审慎监管 govern soft-regulation cases, and every other clause with a support rate or a cap is a grant measure.
/// </summary>
public sealed class PolicyRules
{
    public const string GeneralTrack = "通用";

    /// <summary>The names (zh) of seeds/tracks.json, in file order.</summary>
    public static IReadOnlyList<string> Tracks { get; } = ["生物医药", "光电信息", "数字经济", "新材料", "高端装备", "航空航天", "新能源汽车"];

    /// <summary>The names (zh) of seeds/parks.json, in file order.</summary>
    public static IReadOnlyList<string> Parks { get; } =
        ["长春药谷", "长春光谷", "数字经济产业园", "新材料产业基地", "航空航天产业园", "高端装备制造产业园", "北湖科技园", "新能源汽车产业园"];

    public static IReadOnlyList<string> SizeClasses { get; } = ["大型", "中型", "小型", "微型"];

    public static IReadOnlyList<string> MatchingLevels { get; } = ["national", "provincial", "city"];

    public static IReadOnlyList<string> TalentLevels { get; } = ["A", "B", "C", "D", "E"];

    /// <summary>首违不罚 is its own clause; the other three are ways of 包容审慎监管.</summary>
    public static IReadOnlyList<string> SoftRegulationTypes { get; } = ["首违不罚", "信用承诺", "提醒谈话", "行政警告"];

    public const string FirstViolationType = "首违不罚";

    public static IReadOnlyList<int> Years { get; } = [2024, 2025, 2026];

    public static IReadOnlyList<string> Quarters { get; } =
        [.. Years.SelectMany(y => Enumerable.Range(1, 4).Select(q => string.Create(CultureInfo.InvariantCulture, $"{y}Q{q}")))];

    public required IReadOnlyList<PolicyMeasure> GrantMeasures { get; init; }

    public required PolicyMeasure Matching { get; init; }

    /// <summary>The talent-award measure of each level (its per-project cap is the largest award).</summary>
    public required IReadOnlyDictionary<string, PolicyMeasure> TalentMeasures { get; init; }

    public required PolicyMeasure FirstViolation { get; init; }

    public required PolicyMeasure SoftRegulation { get; init; }

    public PolicyMeasure? GrantMeasure(string id) => GrantMeasures.FirstOrDefault(m => m.Id == id);

    public PolicyMeasure SoftRegulationMeasure(string type) => type == FirstViolationType ? FirstViolation : SoftRegulation;

    /// <summary>Builds the rules from the policy clauses; throws <see cref="DisclosureException"/> naming the
    /// missing clause when the dataset lacks one the records need.</summary>
    public static PolicyRules FromClauses(IReadOnlyList<PolicyClause> clauses)
    {
        ArgumentNullException.ThrowIfNull(clauses);
        foreach (var c in clauses.Where(c => c.Track != GeneralTrack && !Tracks.Contains(c.Track)))
        {
            throw new DisclosureException($"policy clause {c.Id}: track '{c.Track}' is neither {GeneralTrack} nor one of {string.Join(", ", Tracks)}");
        }
        PolicyMeasure Measure(PolicyClause c, string baseLabel) =>
            new(c.Id, c.Measure, c.Track == GeneralTrack ? null : c.Track, c.SupportRate, baseLabel, c.CapPerProject, c.CapPerEnterpriseYear, c.EffectiveOn);
        PolicyClause Single(string what, Func<PolicyClause, bool> match)
        {
            var found = clauses.Where(match).ToList();
            return found.Count == 1
                ? found[0]
                : throw new DisclosureException($"the policy dataset must have exactly one clause for {what}; found {found.Count}");
        }

        var matching = Single("district matching (measure name containing 配套)", c => c.Measure.Contains("配套", StringComparison.Ordinal));
        var first = Single("首违不罚", c => c.Measure == FirstViolationType);
        var soft = Single("包容审慎监管", c => c.Measure == "包容审慎监管");
        var talents = new Dictionary<string, PolicyMeasure>(StringComparer.Ordinal);
        var talentClauses = clauses.Where(c => c.Measure.StartsWith("人才认定奖励", StringComparison.Ordinal)).ToList();
        foreach (var c in talentClauses)
        {
            var open = c.Measure.IndexOf('（', StringComparison.Ordinal);
            var levels = open < 0 ? "" : c.Measure[open..];
            foreach (var level in TalentLevels.Where(l => levels.Contains(l, StringComparison.Ordinal)))
            {
                if (c.CapPerProject is null)
                {
                    throw new DisclosureException($"policy clause {c.Id} ({c.Measure}): a talent award needs a cap per project");
                }
                if (!talents.TryAdd(level, Measure(c, "")))
                {
                    throw new DisclosureException($"policy clause {c.Id} ({c.Measure}): level {level} already has clause {talents[level].Id}");
                }
            }
        }
        foreach (var level in TalentLevels.Where(l => !talents.ContainsKey(l)))
        {
            throw new DisclosureException($"the policy dataset has no 人才认定奖励 clause for talent level {level}");
        }
        if (matching.SupportRate is null)
        {
            throw new DisclosureException($"policy clause {matching.Id} ({matching.Measure}): district matching needs a support rate");
        }
        HashSet<string> special = [matching.Id, first.Id, soft.Id, .. talentClauses.Select(c => c.Id)];
        var grants = clauses
            .Where(c => !special.Contains(c.Id) && (c.SupportRate ?? c.CapPerProject ?? c.CapPerEnterpriseYear) is not null)
            .Select(c => Measure(c, "contract fee"))
            .ToList();
        if (grants.Count == 0)
        {
            throw new DisclosureException("the policy dataset has no grant measure (a clause with a support rate or a cap)");
        }
        return new PolicyRules
        {
            GrantMeasures = grants,
            Matching = Measure(matching, "project amount"),
            TalentMeasures = talents,
            FirstViolation = Measure(first, ""),
            SoftRegulation = Measure(soft, ""),
        };
    }

    /// <summary>Reads the policy dataset folder (dataset.json + its XLSX source) and builds the rules. The
    /// dataset's field list maps the field names to the XLSX headers, so renamed headers follow dataset.json.</summary>
    public static PolicyRules Load(string datasetFolder) => FromClauses(ReadClauses(datasetFolder));

    /// <summary>The folder of the policy dataset under a repository root.</summary>
    public static string DatasetFolder(string repoRoot) => Path.Combine(repoRoot, "datasets", "policy-measures");

    public static IReadOnlyList<PolicyClause> ReadClauses(string datasetFolder)
    {
        var definitionPath = Path.Combine(datasetFolder, "dataset.json");
        if (!File.Exists(definitionPath))
        {
            throw new DisclosureException($"policy dataset definition '{definitionPath}' does not exist: the policy rules are read from it");
        }
        string file;
        string? sheet;
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(definitionPath));
            var source = doc.RootElement.GetProperty("source");
            file = source.GetProperty("file").GetString() ?? throw new DisclosureException($"{definitionPath}: source.file is empty");
            sheet = source.TryGetProperty("sheet", out var s) ? s.GetString() : null;
            foreach (var f in doc.RootElement.GetProperty("fields").EnumerateArray())
            {
                var name = f.GetProperty("name").GetString()!;
                headers[name] = f.TryGetProperty("source", out var src) && src.GetString() is { } h ? h : name;
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new DisclosureException($"{definitionPath}: not a readable dataset definition ({e.Message})");
        }
        string[] needed = ["clause_id", "track", "measure", "support_rate", "cap_per_project", "cap_per_enterprise_year", "effective_on"];
        foreach (var n in needed.Where(n => !headers.ContainsKey(n)))
        {
            throw new DisclosureException($"{definitionPath}: field '{n}' is missing; the policy rules need it");
        }
        var path = Path.Combine(datasetFolder, file);
        if (!File.Exists(path))
        {
            throw new DisclosureException($"policy dataset source '{path}' does not exist: the policy rules are read from it");
        }
        var clauses = new List<PolicyClause>();
        var rowNumber = 1;
        foreach (IDictionary<string, object?> row in MiniExcel.Query(path, useHeaderRow: true, sheetName: sheet))
        {
            rowNumber++;
            object? Cell(string field) => row.TryGetValue(headers[field], out var v) ? v : null;
            var id = Text(Cell("clause_id"));
            if (id is null)
            {
                continue;
            }
            decimal? Number(string field)
            {
                var v = Cell(field);
                try
                {
                    return v switch
                    {
                        null => null,
                        string t when string.IsNullOrWhiteSpace(t) => null,
                        string t => decimal.Parse(t, NumberStyles.Number, CultureInfo.InvariantCulture),
                        _ => Convert.ToDecimal(v, CultureInfo.InvariantCulture),
                    };
                }
                catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
                {
                    throw new DisclosureException($"{path} row {rowNumber} ({id}): {field} '{v}' is not a number");
                }
            }
            DateOnly? Date()
            {
                var v = Cell("effective_on");
                return v switch
                {
                    null => null,
                    DateTime d => DateOnly.FromDateTime(d),
                    string t when string.IsNullOrWhiteSpace(t) => null,
                    string t when DateOnly.TryParse(t, CultureInfo.InvariantCulture, out var d) => d,
                    _ => throw new DisclosureException($"{path} row {rowNumber} ({id}): effective_on '{v}' is not a date"),
                };
            }
            clauses.Add(new PolicyClause(id, Text(Cell("track")) ?? GeneralTrack,
                Text(Cell("measure")) ?? throw new DisclosureException($"{path} row {rowNumber} ({id}): the measure name is empty"),
                Number("support_rate"), Number("cap_per_project"), Number("cap_per_enterprise_year"), Date()));
        }
        return clauses;
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        string s => string.IsNullOrWhiteSpace(s) ? null : s.Trim(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };
}
