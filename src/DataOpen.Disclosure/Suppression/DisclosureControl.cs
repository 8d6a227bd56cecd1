using System.Diagnostics;
using DataOpen.Disclosure.Tables;

namespace DataOpen.Disclosure.Suppression;

/// <summary>Published cell: the value, or null with status "C" when suppressed. Primary and complementary
/// suppressions carry the same code so the reader cannot tell which rule fired.</summary>
public sealed record PublishedRow(IReadOnlyList<string> Categories, decimal? Value, string? Status)
{
    public const string Confidential = "C";
}

/// <param name="Dimensions">Dimension names in the order of <see cref="PublishedRow.Categories"/>; totals are "_T".</param>
/// <param name="Measure">"count" or "sum(field)".</param>
public sealed record PublishedTable(string Id, string? Title, IReadOnlyList<string> Dimensions, string Measure, IReadOnlyList<PublishedRow> Rows);

public sealed class DisclosureAuditFailedException(AuditResult audit)
    : Exception("the disclosure audit failed; nothing is published: " + string.Join("; ", audit.Problems.Take(5)))
{
    public AuditResult Audit { get; } = audit;
}

/// <summary>Outcome of protecting a set of (possibly linked) tables: the pattern, its audit and the publishable tables.</summary>
public sealed class ProtectedTables
{
    internal ProtectedTables(CellSystem system, IReadOnlyList<PrimaryAssessment> primary, SuppressionPattern pattern, AuditResult audit,
        TimeSpan suppressionTime, TimeSpan auditTime)
    {
        System = system;
        Primary = primary;
        Pattern = pattern;
        Audit = audit;
        SuppressionTime = suppressionTime;
        AuditTime = auditTime;
    }

    public CellSystem System { get; }

    /// <summary>Primary assessment per system cell (confidential: never publish).</summary>
    public IReadOnlyList<PrimaryAssessment> Primary { get; }

    public SuppressionPattern Pattern { get; }

    public AuditResult Audit { get; }

    public TimeSpan SuppressionTime { get; }

    public TimeSpan AuditTime { get; }

    public int PrimaryCount => Primary.Count(p => p.Sensitive);

    public int SuppressedCount => Pattern.Suppressed.Count(s => s);

    public bool IsSuppressed(int table, int cell) => Pattern.Suppressed[System.SystemIndex(table, cell)];

    public bool IsSuppressed(string tableId, params string[] labels)
    {
        var t = TableIndex(tableId);
        return IsSuppressed(t, System.Tables[t].Cell(labels).Index);
    }

    /// <summary>The publishable tables; refuses (throws <see cref="DisclosureAuditFailedException"/>) when the audit failed.</summary>
    public IReadOnlyList<PublishedTable> Publish()
    {
        if (!Audit.Passed)
        {
            throw new DisclosureAuditFailedException(Audit);
        }
        var result = new List<PublishedTable>(System.Tables.Count);
        for (var t = 0; t < System.Tables.Count; t++)
        {
            var table = System.Tables[t];
            var rows = table.Cells.Select(c => IsSuppressed(t, c.Index)
                ? new PublishedRow(c.Categories, null, PublishedRow.Confidential)
                : new PublishedRow(c.Categories, c.Value, null)).ToList();
            result.Add(new PublishedTable(table.Id, table.Definition.Title, [.. table.Definition.Dimensions.Select(d => d.Name)],
                table.Definition.Measure.Key, rows));
        }
        return result;
    }

    private int TableIndex(string tableId)
    {
        for (var t = 0; t < System.Tables.Count; t++)
        {
            if (System.Tables[t].Id == tableId)
            {
                return t;
            }
        }
        throw new DisclosureException($"no table '{tableId}' in this protection run");
    }
}

public static class DisclosureControl
{
    /// <summary>Primary suppression, complementary suppression and audit of tables protected as one system.</summary>
    public static ProtectedTables Protect(IReadOnlyList<StatTable> tables, DisclosureParameters parameters)
    {
        parameters.Validate();
        var system = CellSystem.Link(tables);
        var primary = AssessPrimary(system, parameters);
        return ProtectAndAudit(system, primary, parameters,
            heuristic => heuristic ? SecondarySuppressor.Suppress(system, primary, parameters) : OptimalSuppressor.Suppress(system, primary, parameters),
            pattern =>
        {
            var audit = Auditor.Audit(system, primary, pattern.Suppressed);
            return pattern.Unprotectable.Count == 0 ? audit : audit with
            {
                Problems = [.. audit.Problems, .. pattern.Unprotectable.Select(c => $"no suppression pattern protects {system.Describe(c)}")],
            };
        });
    }

    /// <summary>Complementary suppression with the configured method, then the audit. Should the audit refuse
    /// the integer program's pattern (a numerical tolerance, or a cross-release constraint the single-release model
    /// does not see), the heuristic's pattern is tried; the report says so.</summary>
    /// <param name="suppress">The pattern of the heuristic (true) or of the configured integer-programming method (false).</param>
    internal static ProtectedTables ProtectAndAudit(CellSystem system, IReadOnlyList<PrimaryAssessment> primary, DisclosureParameters parameters,
        Func<bool, SuppressionPattern> suppress, Func<SuppressionPattern, AuditResult> audit)
    {
        var clock = Stopwatch.StartNew();
        var pattern = suppress(parameters.Method == SuppressionMethod.Heuristic);
        var suppressionTime = clock.Elapsed;
        clock.Restart();
        var result = audit(pattern);
        if (!result.Passed && parameters.Method != SuppressionMethod.Heuristic)
        {
            var auditTime = clock.Elapsed;
            clock.Restart();
            var heuristic = suppress(true);
            suppressionTime += clock.Elapsed;
            clock.Restart();
            var second = audit(heuristic);
            if (second.Passed)
            {
                var report = heuristic.Report with { Method = "heuristic (the audit refused " + pattern.Report.Method + ")" };
                return new ProtectedTables(system, primary, heuristic with { Report = report }, second, suppressionTime, auditTime + clock.Elapsed);
            }
            clock.Restart();
        }
        return new ProtectedTables(system, primary, pattern, result, suppressionTime, clock.Elapsed);
    }

    public static ProtectedTables Protect(StatTable table, DisclosureParameters parameters) => Protect([table], parameters);

    public static PrimaryAssessment[] AssessPrimary(CellSystem system, DisclosureParameters parameters)
    {
        var primary = new PrimaryAssessment[system.Count];
        for (var s = 0; s < system.Count; s++)
        {
            var assessment = PrimaryAssessment.Safe;
            foreach (var (t, c) in system.Occurrences[s])
            {
                var table = system.Tables[t];
                assessment = assessment.Max(PrimarySuppression.Assess(table.Cells[c], table.Definition, parameters));
            }
            primary[s] = assessment;
        }
        return primary;
    }
}
