using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DataOpen.Api.Infrastructure;
using DataOpen.Disclosure;
using DataOpen.Disclosure.Synthetic;
using DataOpen.Disclosure.Tables;
using Npgsql;
using NpgsqlTypes;

namespace DataOpen.Api.Statistics;

/// <summary>What one load of the confidential microdata did.</summary>
/// <param name="Sha256">Fingerprint of the four CSVs and the policy dataset that were checked.</param>
/// <param name="Reloaded">False when the inputs were unchanged since the last load and nothing was written.</param>
/// <param name="Accepted">Records in the restricted schema after the load.</param>
/// <param name="Rejections">Rules broken by the records that were not loaded (empty when nothing was reloaded).</param>
public sealed record RestrictedLoadResult(string Sha256, bool Reloaded, int Accepted, IReadOnlyList<PolicyViolation> Rejections);

/// <summary>
/// Loads the confidential microdata (grants, matching, talents, soft_regulation CSVs) into the restricted schema.
/// Every record is checked against the rules of the policy dataset first; a record that breaks one is not loaded
/// and its rejection (measure and rule cited) is logged and stored in restricted.load_rejections.
/// </summary>
public sealed class RestrictedLoader(Database database, ILogger<RestrictedLoader> logger)
{
    public static IReadOnlyList<string> Sources { get; } = ["grants", "matching", "talents", "soft_regulation"];

    /// <summary>Loads <paramref name="microdataFolder"/> checked against the policy dataset in
    /// <paramref name="policyFolder"/>; does nothing but return the fingerprint when both are unchanged since the last load.</summary>
    public async Task<RestrictedLoadResult> LoadAsync(string microdataFolder, string policyFolder, CancellationToken ct)
    {
        var files = Sources.Select(s => Path.Combine(microdataFolder, s + ".csv")).ToList();
        foreach (var f in files.Where(f => !File.Exists(f)))
        {
            throw new DisclosureException($"microdata file '{f}' does not exist");
        }
        // The rules are part of the fingerprint: a changed policy dataset re-checks every record.
        var rules = PolicyRules.Load(policyFolder);
        var policyFiles = Directory.GetFiles(policyFolder).Order(StringComparer.Ordinal);
        var sha = Fingerprint([.. files, .. policyFiles]);

        await using var conn = await database.Writer.OpenConnectionAsync(ct);
        await using (var check = new NpgsqlCommand("SELECT sha256, accepted FROM restricted.load_state", conn))
        await using (var r = await check.ExecuteReaderAsync(ct))
        {
            if (await r.ReadAsync(ct) && r.GetString(0) == sha)
            {
                return new RestrictedLoadResult(sha, false, r.GetInt32(1), []);
            }
        }

        var rejections = new List<PolicyViolation>();
        var grants = Parse(files[0], "grant", rejections, row => SameYear(new GrantRecord(row["grant_id"], row["enterprise_id"], row["track"], row["park"],
            row["size_class"], row["measure_id"], row["quarter"], Money(row["contract_fee"]), Money(row["amount_granted"])), g => g.Year, row), "grant_id", "measure_id");
        var matching = Parse(files[1], "matching", rejections, row => new MatchingRecord(row["project_id"], row["enterprise_id"], row["level"],
            Year(row["year"]), Money(row["project_amount"]), Money(row["matching_amount"])), "project_id", null);
        var talents = Parse(files[2], "talent", rejections, row => new TalentRecord(row["recognition_id"], row["person_id"], row["track"], row["level"],
            Year(row["year"]), Money(row["award_amount"])), "recognition_id", null);
        var cases = Parse(files[3], "case", rejections, row => SameYear(new SoftRegulationCase(row["case_id"], row["enterprise_id"], row["type"], row["quarter"],
            row["track"]), c => c.Year, row), "case_id", null);

        rejections.AddRange(PolicyValidator.ValidateGrants(grants, rules));
        rejections.AddRange(PolicyValidator.ValidateMatching(matching, rules));
        rejections.AddRange(PolicyValidator.ValidateTalents(talents, rules));
        rejections.AddRange(PolicyValidator.ValidateSoftRegulation(cases, rules));
        var rejected = rejections.Select(v => (v.RecordKind, v.RecordId)).ToHashSet();
        bool Ok(string kind, string id) => !rejected.Contains((kind, id));

        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var truncate = new NpgsqlCommand(
            "TRUNCATE restricted.grants, restricted.matching, restricted.talents, restricted.soft_regulation", conn, tx))
        {
            await truncate.ExecuteNonQueryAsync(ct);
        }
        var accepted = 0;
        accepted += await CopyAsync(conn, "restricted.grants (grant_id, enterprise_id, track, park, size_class, measure_id, quarter, year, contract_fee, amount_granted)",
            grants.Where(g => Ok("grant", g.GrantId)), (w, g) =>
            {
                w.Write(g.GrantId); w.Write(g.EnterpriseId); w.Write(g.Track); w.Write(g.Park); w.Write(g.SizeClass); w.Write(g.MeasureId);
                w.Write(g.Quarter); w.Write(g.Year); w.Write(g.ContractFee, NpgsqlDbType.Numeric); w.Write(g.AmountGranted, NpgsqlDbType.Numeric);
            }, ct);
        accepted += await CopyAsync(conn, "restricted.matching (project_id, enterprise_id, level, year, project_amount, matching_amount)",
            matching.Where(m => Ok("matching", m.ProjectId)), (w, m) =>
            {
                w.Write(m.ProjectId); w.Write(m.EnterpriseId); w.Write(m.Level); w.Write(m.Year);
                w.Write(m.ProjectAmount, NpgsqlDbType.Numeric); w.Write(m.MatchingAmount, NpgsqlDbType.Numeric);
            }, ct);
        accepted += await CopyAsync(conn, "restricted.talents (recognition_id, person_id, track, level, year, award_amount)",
            talents.Where(t => Ok("talent", t.RecognitionId)), (w, t) =>
            {
                w.Write(t.RecognitionId); w.Write(t.PersonId); w.Write(t.Track); w.Write(t.Level); w.Write(t.Year); w.Write(t.AwardAmount, NpgsqlDbType.Numeric);
            }, ct);
        accepted += await CopyAsync(conn, "restricted.soft_regulation (case_id, enterprise_id, type, quarter, year, track)",
            cases.Where(c => Ok("case", c.CaseId)), (w, c) =>
            {
                w.Write(c.CaseId); w.Write(c.EnterpriseId); w.Write(c.Type); w.Write(c.Quarter); w.Write(c.Year); w.Write(c.Track);
            }, ct);

        var batch = new NpgsqlBatch(conn, tx);
        foreach (var v in rejections)
        {
            var c = new NpgsqlBatchCommand(
                "INSERT INTO restricted.load_rejections (load_sha256, source, record_id, measure_id, measure_name, rule, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)");
            foreach (var value in new[] { sha, v.RecordKind, v.RecordId, v.MeasureId, v.MeasureName, v.Rule, v.Detail })
            {
                c.Parameters.Add(new() { Value = value });
            }
            batch.BatchCommands.Add(c);
        }
        var state = new NpgsqlBatchCommand(
            """
            INSERT INTO restricted.load_state (id, sha256, accepted, rejected) VALUES (true, $1, $2, $3)
            ON CONFLICT (id) DO UPDATE SET sha256 = EXCLUDED.sha256, accepted = EXCLUDED.accepted, rejected = EXCLUDED.rejected, loaded_at = now()
            """);
        state.Parameters.Add(new() { Value = sha });
        state.Parameters.Add(new() { Value = accepted });
        state.Parameters.Add(new() { Value = rejected.Count });
        batch.BatchCommands.Add(state);
        await batch.ExecuteNonQueryAsync(ct);
        await batch.DisposeAsync();
        await tx.CommitAsync(ct);

        foreach (var v in rejections)
        {
            logger.LogWarning("Confidential record rejected: {Violation}", v.Message);
        }
        logger.LogInformation("Loaded {Accepted} confidential microdata records into the restricted schema; {Rejected} rejected", accepted, rejected.Count);
        return new RestrictedLoadResult(sha, true, accepted, rejections);
    }

    /// <summary>Reads the loaded microdata back (writer role: the reader cannot) as the disclosure library's input.</summary>
    public async Task<IReadOnlyDictionary<string, Microdata>> ReadAsync(CancellationToken ct)
    {
        var result = new Dictionary<string, Microdata>(StringComparer.Ordinal);
        (string Source, IReadOnlyList<string> Columns)[] tables =
        [
            ("grants", GrantRecord.Columns), ("matching", MatchingRecord.Columns), ("talents", TalentRecord.Columns), ("soft_regulation", SoftRegulationCase.Columns),
        ];
        await using var conn = await database.Writer.OpenConnectionAsync(ct);
        foreach (var (source, columns) in tables)
        {
            var rows = new List<string[]>();
            var select = string.Join(", ", columns.Select(c => DataOpen.Core.Catalog.Sql.QuoteIdentifier(c) + "::text"));
            await using var cmd = new NpgsqlCommand($"SELECT {select} FROM restricted.{source} ORDER BY 1", conn);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var row = new string[columns.Count];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = r.GetString(i);
                }
                rows.Add(row);
            }
            result[source] = new Microdata(source, columns, rows);
        }
        return result;
    }

    private static List<T> Parse<T>(string path, string kind, List<PolicyViolation> rejections, Func<IReadOnlyDictionary<string, string>, T> make,
        string idColumn, string? measureColumn)
    {
        var data = Microdata.ReadCsv(Path.GetFileNameWithoutExtension(path), path);
        var id = data.ColumnIndex(idColumn, path);
        var measure = measureColumn is null ? -1 : data.ColumnIndex(measureColumn, path);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var records = new List<T>(data.Rows.Count);
        for (var i = 0; i < data.Rows.Count; i++)
        {
            var row = data.Rows[i];
            var recordId = row[id];
            var cited = measure < 0 ? "-" : row[measure];
            if (!seen.Add(recordId))
            {
                rejections.Add(new(kind, recordId, cited, "-", "record id is unique", $"{Path.GetFileName(path)} line {i + 2} repeats id {recordId}"));
                continue;
            }
            var named = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var c = 0; c < data.Columns.Count; c++)
            {
                named[data.Columns[c]] = row[c];
            }
            try
            {
                records.Add(make(named));
            }
            catch (Exception e) when (e is FormatException or OverflowException or KeyNotFoundException)
            {
                rejections.Add(new(kind, recordId, cited, "-", "record is well-formed", $"{Path.GetFileName(path)} line {i + 2}: {e.Message}"));
            }
        }
        return records;
    }

    /// <summary>The year column must be the quarter's year (the tables use both).</summary>
    private static T SameYear<T>(T record, Func<T, int> yearOfQuarter, IReadOnlyDictionary<string, string> row)
    {
        int year;
        try
        {
            year = yearOfQuarter(record);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new FormatException($"quarter '{row["quarter"]}' is not of the form yyyyQn");
        }
        return Year(row["year"]) == year ? record : throw new FormatException($"year {row["year"]} is not the year of quarter {row["quarter"]}");
    }

    private static decimal Money(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    private static int Year(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    private static async Task<int> CopyAsync<T>(NpgsqlConnection conn, string target, IEnumerable<T> rows, Action<NpgsqlBinaryImporter, T> write, CancellationToken ct)
    {
        var count = 0;
        await using var importer = await conn.BeginBinaryImportAsync($"COPY {target} FROM STDIN (FORMAT BINARY)", ct);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(ct);
            write(importer, row);
            count++;
        }
        await importer.CompleteAsync(ct);
        return count;
    }

    /// <summary>sha256 over the files' names and contents in order.</summary>
    internal static string Fingerprint(IEnumerable<string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var f in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(f) + "\n"));
            hash.AppendData(File.ReadAllBytes(f));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
