using System.Text.Json.Nodes;
using DataOpen.Api.Infrastructure;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataOpen.Api.Publishing;

/// <summary>
/// Loads the reference records under seeds/ (publishers, theme schemes and themes, licences) into the
/// catalog schema, inserting new ones and updating changed ones in one transaction. Records are
/// never deleted here: datasets may still refer to them.
/// </summary>
public sealed class SeedLoader(Database database, IOptions<DataOpenOptions> options, ILogger<SeedLoader> logger)
{
    public async Task LoadAsync(CancellationToken ct)
    {
        var dir = RepoPaths.Resolve(options.Value.SeedsPath);
        if (!Directory.Exists(dir))
        {
            logger.LogWarning("No seeds folder at {Dir}: reference records not loaded", dir);
            return;
        }

        await using var conn = await database.Writer.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var changed = 0;

        foreach (var p in Items(ReadJson(Path.Combine(dir, "publishers.json")), "publishers"))
        {
            var (nameZh, nameEn) = Loc(p, "name");
            var (descZh, descEn) = Loc(p, "description");
            var contact = p["contact"] as JsonObject ?? p["contactPoint"] as JsonObject;
            changed += await ExecAsync(conn, tx,
                """
                INSERT INTO catalog.publishers (id, name_zh, name_en, description_zh, description_en, email, phone, website)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (id) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en,
                  description_zh = EXCLUDED.description_zh, description_en = EXCLUDED.description_en,
                  email = EXCLUDED.email, phone = EXCLUDED.phone, website = EXCLUDED.website
                WHERE (catalog.publishers.*) IS DISTINCT FROM (EXCLUDED.*)
                """, ct, Str(p, "id"), nameZh, nameEn, descZh, descEn,
                Str(p, "email") ?? Str(contact, "email"), Str(p, "phone") ?? Str(contact, "phone"), Str(p, "website") ?? Str(p, "homepage"));
        }

        foreach (var s in Items(ReadJson(Path.Combine(dir, "themes.json")), "schemes"))
        {
            var schemeId = Str(s, "id")!;
            var (nameZh, nameEn) = Loc(s, "name");
            if (nameZh is null)
            {
                (nameZh, nameEn) = Loc(s, "title");
            }

            changed += await ExecAsync(conn, tx,
                """
                INSERT INTO catalog.theme_schemes (id, name_zh, name_en) VALUES ($1, $2, $3)
                ON CONFLICT (id) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en
                WHERE (catalog.theme_schemes.*) IS DISTINCT FROM (EXCLUDED.*)
                """, ct, schemeId, nameZh ?? schemeId, nameEn);
            foreach (var t in Items(s, "themes", "concepts", "items"))
            {
                var (labelZh, labelEn) = Loc(t, "label");
                if (labelZh is null)
                {
                    (labelZh, labelEn) = Loc(t, "name");
                }

                changed += await ExecAsync(conn, tx,
                    """
                    INSERT INTO catalog.themes (scheme_id, code, label_zh, label_en, parent_code) VALUES ($1, $2, $3, $4, $5)
                    ON CONFLICT (scheme_id, code) DO UPDATE SET label_zh = EXCLUDED.label_zh, label_en = EXCLUDED.label_en, parent_code = EXCLUDED.parent_code
                    WHERE (catalog.themes.*) IS DISTINCT FROM (EXCLUDED.*)
                    """, ct, schemeId, Str(t, "code") ?? Str(t, "id"), labelZh ?? Str(t, "code"), labelEn, Str(t, "parent"));
            }
        }

        foreach (var l in Items(ReadJson(Path.Combine(dir, "licenses.json")), "licenses"))
        {
            var (titleZh, titleEn) = Loc(l, "title");
            if (titleZh is null)
            {
                (titleZh, titleEn) = Loc(l, "name");
            }

            changed += await ExecAsync(conn, tx,
                """
                INSERT INTO catalog.licenses (id, title_zh, title_en, url) VALUES ($1, $2, $3, $4)
                ON CONFLICT (id) DO UPDATE SET title_zh = EXCLUDED.title_zh, title_en = EXCLUDED.title_en, url = EXCLUDED.url
                WHERE (catalog.licenses.*) IS DISTINCT FROM (EXCLUDED.*)
                """, ct, Str(l, "id"), titleZh ?? Str(l, "id"), titleEn, Str(l, "url"));
        }

        if (changed > 0)
        {
            await ExecAsync(conn, tx, "UPDATE catalog.state SET catalog_version = catalog_version + 1", ct);
        }

        await tx.CommitAsync(ct);
    }

    internal static JsonNode? ReadJson(string path) => File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) : null;

    /// <summary>The records of a seed file: the root array, or the array under one of <paramref name="keys"/>.</summary>
    internal static IEnumerable<JsonObject> Items(JsonNode? node, params string[] keys)
    {
        var array = node as JsonArray;
        if (array is null && node is JsonObject obj)
        {
            array = keys.Select(k => obj[k]).OfType<JsonArray>().FirstOrDefault();
        }

        return array?.OfType<JsonObject>() ?? [];
    }

    internal static string? Str(JsonNode? node, string key) => node is JsonObject o && o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>A localised value written as {"zh","en"}, as a plain string, or as keyZh/keyEn.</summary>
    internal static (string? Zh, string? En) Loc(JsonObject node, string key)
    {
        if (node[key] is JsonObject o)
        {
            return (Str(o, "zh"), Str(o, "en"));
        }

        return (Str(node, key) ?? Str(node, key + "Zh") ?? Str(node, key + "_zh"), Str(node, key + "En") ?? Str(node, key + "_en"));
    }

    private static async Task<int> ExecAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct, params object?[] values)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        foreach (var v in values)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        }

        return await cmd.ExecuteNonQueryAsync(ct);
    }
}
