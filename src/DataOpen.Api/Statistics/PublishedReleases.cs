using DataOpen.Disclosure.Suppression;
using Npgsql;

namespace DataOpen.Api.Statistics;

/// <summary>
/// Issue 18: the statistics versions that are still downloadable, as the cross-release disclosure control needs
/// them (<see cref="PriorRelease"/>). Every cell of a published version is stored in
/// restricted.disclosure_release_cells (published value, or null when withheld, plus the true value and the
/// protection interval); a release is the set of versions published by one pipeline run (same input fingerprint).
/// </summary>
public static class PublishedReleases
{
    /// <summary>Every release of which at least one version is still published (the dataset active and the
    /// version row present), oldest first.</summary>
    public static async Task<IReadOnlyList<PriorRelease>> LoadAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT c.input_sha256, c.cell, c.published, c.true_value, c.required_lower, c.required_upper, min(v.published_at) OVER (PARTITION BY c.input_sha256)
            FROM restricted.disclosure_release_cells c
            JOIN catalog.datasets d ON d.identifier = c.dataset_identifier AND d.status = 'active'
            JOIN catalog.versions v ON v.dataset_id = d.id AND v.version = c.version
            ORDER BY 7, 1
            """);
        var releases = new List<(string Name, Dictionary<string, PriorCell> Cells)>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var name = reader.GetString(0);
            if (releases.Count == 0 || releases[^1].Name != name)
            {
                releases.Add((name, new Dictionary<string, PriorCell>(StringComparer.Ordinal)));
            }
            // A margin cell occurs in several tables of one release with the same values.
            releases[^1].Cells[reader.GetString(1)] = new PriorCell(reader.IsDBNull(2) ? null : reader.GetDecimal(2), reader.GetDouble(3),
                reader.GetDouble(4), reader.GetDouble(5));
        }
        return [.. releases.Select(r => new PriorRelease(r.Name[..12], r.Cells))];
    }

    /// <summary>Records the cells of table <paramref name="table"/> of a protection run as published in
    /// <paramref name="version"/> (replacing an earlier record of the same version).</summary>
    public static async Task StoreAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string input, string identifier, int version,
        ProtectedTables run, int table, CancellationToken ct)
    {
        var cells = PriorRelease.From(input, run).Cells;
        await using (var clear = new NpgsqlCommand(
            "DELETE FROM restricted.disclosure_release_cells WHERE dataset_identifier = $1 AND version = $2", conn, tx))
        {
            clear.Parameters.Add(new() { Value = identifier });
            clear.Parameters.Add(new() { Value = version });
            await clear.ExecuteNonQueryAsync(ct);
        }
        var keys = Enumerable.Range(0, run.System.Count).Where(s => run.System.Occurrences[s].Any(o => o.Table == table))
            .Select(run.System.Describe).ToList();
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO restricted.disclosure_release_cells (input_sha256, dataset_identifier, version, cell, published, true_value, required_lower, required_upper)
            SELECT $1, $2, $3, * FROM unnest($4::text[], $5::numeric[], $6::float8[], $7::float8[], $8::float8[])
            """, conn, tx);
        insert.Parameters.Add(new() { Value = input });
        insert.Parameters.Add(new() { Value = identifier });
        insert.Parameters.Add(new() { Value = version });
        insert.Parameters.Add(new() { Value = keys.ToArray() });
        insert.Parameters.Add(new() { Value = keys.Select(k => cells[k].Published).ToArray() });
        insert.Parameters.Add(new() { Value = keys.Select(k => cells[k].TrueValue).ToArray() });
        insert.Parameters.Add(new() { Value = keys.Select(k => cells[k].RequiredLower).ToArray() });
        insert.Parameters.Add(new() { Value = keys.Select(k => cells[k].RequiredUpper).ToArray() });
        await insert.ExecuteNonQueryAsync(ct);
    }
}
