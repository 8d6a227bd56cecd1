using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DataOpen.Api.Publishing;
using DataOpen.Api.Tests.Infrastructure;
using DataOpen.Core.Catalog;
using DataOpen.Core.Ingest;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataOpen.Api.Tests;

[Collection(ApiTests.Name)]
public sealed class FoundationTests(DataOpenFactory factory)
{
    private DatasetPublisher Publisher => factory.Services.GetRequiredService<DatasetPublisher>();

    [Fact]
    public async Task Health_live_and_ready_answer_200_once_migrated()
    {
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = await ready.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ok", body.GetProperty("checks").GetProperty("migrations").GetString());
    }

    [Fact]
    public async Task Reader_role_cannot_read_access_audit_or_restricted_and_has_a_statement_timeout()
    {
        await using var conn = await factory.Database.Reader.OpenConnectionAsync();
        await using (var cmd = new NpgsqlCommand("SHOW statement_timeout", conn))
        {
            Assert.NotEqual("0", (string)(await cmd.ExecuteScalarAsync())!);
        }

        foreach (var schema in new[] { "access", "audit", "restricted" })
        {
            await using var cmd = new NpgsqlCommand($"CREATE TABLE IF NOT EXISTS {schema}.probe_{Guid.NewGuid():N} (x int)", conn);
            var ex = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
            Assert.Equal("42501", ex.SqlState); // insufficient_privilege
        }

        await using (var cmd = new NpgsqlCommand("SELECT count(*) FROM catalog.datasets", conn))
        {
            Assert.True((long)(await cmd.ExecuteScalarAsync())! > 0);
        }
    }

    [Fact]
    public async Task Sample_catalog_is_published_at_start_with_at_least_ten_datasets()
    {
        var snapshot = factory.Catalog.Current;
        var sample = snapshot.Datasets.Where(d => !d.Identifier.StartsWith("t-", StringComparison.Ordinal)).ToList();
        Assert.True(sample.Count >= 10, $"only {sample.Count} datasets");
        Assert.All(sample, d => Assert.NotNull(d.Current));
        Assert.Contains(sample, d => d.OpenClass == OpenClasses.Conditional);
        Assert.Contains(sample, d => d.OpenClass == OpenClasses.NotOpen);
        var air = sample.Single(d => d.Metadata.Title.Zh.Contains("空气质量小时数据", StringComparison.Ordinal));
        Assert.True(air.Current!.RowCount >= 200_000);
        Assert.Contains(sample, d => d.Current!.SourceEncoding is "gbk" or "gb18030");
        Assert.Contains(sample, d => d.Current!.SourceFormat == "xlsx");
    }

    [Fact]
    public async Task Publishing_registers_an_immutable_numbered_version_and_an_identical_file_creates_nothing()
    {
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-pub"));
        var folder = TestDatasets.WriteCsvFolder(def, 500);
        var source = Path.Combine(folder, "data.csv");

        var first = await Publisher.PublishAsync(def, source, "test", null, CancellationToken.None);
        Assert.Equal(PublishStatus.Published, first.Status);
        Assert.Equal(1, first.Version);
        Assert.Equal(500, first.Rows);

        var again = await Publisher.PublishAsync(def, source, "test", null, CancellationToken.None);
        Assert.Equal(PublishStatus.Unchanged, again.Status);
        Assert.Equal(1, again.Version);

        TestDatasets.WriteCsv(source, 600, seed: 2);
        var second = await Publisher.PublishAsync(def, source, "test", null, CancellationToken.None);
        Assert.Equal(2, second.Version);

        var entry = factory.Catalog.Current.Find(def.Identifier)!;
        Assert.Equal(2, entry.Current!.Version);
        Assert.Equal(2, entry.Versions.Count);
        Assert.Equal(500, entry.FindVersion(1)!.RowCount);
        Assert.Equal(first.Sha256, entry.FindVersion(1)!.Sha256);
        Assert.Equal(new FileInfo(source).Length, entry.Current.ByteSize);
        Assert.Equal("test", entry.Current.PublishedBy);
        Assert.Equal(["id", "station", "value", "day"], entry.Current.Shape.Fields.Select(f => f.Name));
        Assert.Equal([FieldType.Integer, FieldType.Text, FieldType.Decimal, FieldType.Date], entry.Current.Shape.Fields.Select(f => f.Type));

        // Version 1's table is still there, unchanged.
        await using var cmd = factory.Database.Reader.CreateCommand($"SELECT count(*) FROM data.{Sql.QuoteIdentifier(entry.FindVersion(1)!.TableName)}");
        Assert.Equal(500L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_file_with_rejected_values_publishes_nothing_and_reports_row_column_and_reason()
    {
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-bad"), fields: [new FieldSpec("value", Type: "integer")]);
        var folder = TestDatasets.WriteCsvFolder(def, 10);
        var before = factory.Catalog.Current.CatalogVersion;

        var result = await Publisher.PublishAsync(def, Path.Combine(folder, "data.csv"), "test", null, CancellationToken.None);

        Assert.Equal(PublishStatus.Invalid, result.Status);
        var rejected = result.Report!.RejectedValues[0];
        Assert.Equal("value", rejected.Column);
        Assert.Equal(2, rejected.Row); // header is row 1
        Assert.False(string.IsNullOrWhiteSpace(rejected.Reason));
        Assert.Null(factory.Catalog.Current.Find(def.Identifier)?.Current);
        Assert.Empty(await StrayDataTablesAsync());
        Assert.True(factory.Catalog.Current.CatalogVersion >= before);
    }

    [Fact]
    public async Task A_publish_of_a_dataset_whose_lock_is_held_fails_at_once_with_a_conflict()
    {
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-lock"));
        var folder = TestDatasets.WriteCsvFolder(def, 100);

        await using (var conn = await factory.Database.Writer.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(20240601, hashtext($1))", conn, tx) { Parameters = { new() { Value = def.Identifier } } };
            Assert.True((bool)(await cmd.ExecuteScalarAsync())!);
            var ex = await Assert.ThrowsAsync<PublishConflictException>(() => Publisher.PublishAsync(def, Path.Combine(folder, "data.csv"), "test", null, CancellationToken.None));
            Assert.Contains(def.Identifier, ex.Message, StringComparison.Ordinal);
        }

        var ok = await Publisher.PublishAsync(def, Path.Combine(folder, "data.csv"), "test", null, CancellationToken.None);
        Assert.Equal(PublishStatus.Published, ok.Status);
    }

    [Fact]
    public async Task Two_concurrent_publishes_of_one_dataset_create_exactly_one_version()
    {
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-race"));
        var folder = TestDatasets.WriteCsvFolder(def, 150_000);
        var source = Path.Combine(folder, "data.csv");

        async Task<object> Run()
        {
            try
            {
                return (await Publisher.PublishAsync(def, source, "test", null, CancellationToken.None)).Status;
            }
            catch (PublishConflictException ex)
            {
                return ex;
            }
        }

        var results = await Task.WhenAll(Run(), Run());
        Assert.Single(results, r => r is PublishStatus.Published);
        Assert.Single(results, r => r is PublishConflictException or PublishStatus.Unchanged);
        Assert.Single(factory.Catalog.Current.Find(def.Identifier)!.Versions);
    }

    [Fact]
    public async Task Cancelling_mid_ingest_leaves_the_current_version_and_no_table_behind()
    {
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-cancel"));
        var folder = TestDatasets.WriteCsvFolder(def, 50);
        var source = Path.Combine(folder, "data.csv");
        Assert.Equal(PublishStatus.Published, (await Publisher.PublishAsync(def, source, "test", null, CancellationToken.None)).Status);

        TestDatasets.WriteCsv(source, 400_000, seed: 3);
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p =>
        {
            if (p.Stage == "copy")
            {
                cts.CancelAfter(150);
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Publisher.PublishAsync(def, source, "test", progress, cts.Token));

        var entry = factory.Catalog.Current.Find(def.Identifier)!;
        Assert.Equal(1, entry.Current!.Version);
        Assert.Single(entry.Versions);
        Assert.Empty(await StrayDataTablesAsync());
    }

    [Fact]
    public async Task Killing_the_publishing_process_mid_copy_leaves_the_current_version_and_no_table()
    {
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-kill"));
        var folder = TestDatasets.WriteCsvFolder(def, 20);
        Assert.Equal(PublishStatus.Published, (await Publisher.PublishAsync(def, Path.Combine(folder, "data.csv"), "test", null, CancellationToken.None)).Status);
        TestDatasets.WriteCsv(Path.Combine(folder, "data.csv"), 1_000_000, seed: 5);

        // The CLI verb of the same executable, as a publisher would run it, against this test's cluster.
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "DataOpen.Api.dll"), "datasets", "publish", folder })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["ConnectionStrings__DataOpen"] = factory.Database.WriterConnectionString;
        using var process = System.Diagnostics.Process.Start(psi)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var sawCopy = false;
        for (var i = 0; i < 600 && !process.HasExited; i++)
        {
            if (await CountCopiesAsync() > 0)
            {
                sawCopy = true;
                break;
            }

            await Task.Delay(50);
        }

        Assert.True(sawCopy, "the publish never reached COPY");
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        for (var i = 0; i < 200 && await CountCopiesAsync() > 0; i++)
        {
            await Task.Delay(50); // the server notices the dead client and aborts its transaction
        }

        var snapshot = await factory.Catalog.ReloadAsync(CancellationToken.None);
        var entry = snapshot.Find(def.Identifier)!;
        Assert.Equal(1, entry.Current!.Version);
        Assert.Single(entry.Versions);
        Assert.Empty(await StrayDataTablesAsync());
    }

    private async Task<long> CountCopiesAsync()
    {
        await using var cmd = factory.Database.Writer.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY data.%' AND state = 'active'");
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Stray_tables_in_the_data_schema_are_dropped_at_start()
    {
        await using (var cmd = factory.Database.Writer.CreateCommand("CREATE TABLE data.ds999999_v1 (\"_row_id\" bigint)"))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        var dropped = await DataOpen.Api.Publishing.StrayTables.DropAsync(factory.Database.Writer, CancellationToken.None);

        Assert.Contains("ds999999_v1", dropped);
        Assert.Empty(await StrayDataTablesAsync());
        // Published versions' tables are kept.
        Assert.All(factory.Catalog.Current.Datasets.SelectMany(d => d.Versions), v => Assert.DoesNotContain(v.TableName, dropped));
    }

    [Fact]
    public async Task Admin_endpoints_answer_401_without_a_key_or_with_an_invalid_one_and_403_with_a_holders_key()
    {
        using var client = factory.CreateClient();
        var none = await client.PutAsync("/api/v1/admin/datasets/x", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("application/problem+json", none.Content.Headers.ContentType!.MediaType);

        using var wrongClient = factory.CreateClient();
        wrongClient.DefaultRequestHeaders.Add("X-Api-Key", "wrong");
        var wrong = await wrongClient.PutAsync("/api/v1/admin/datasets/x", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        var created = await client.PostAsJsonAsync("/api/v1/keys", new { name = "Holder", email = "holder@example.org" });
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        using var holder = factory.CreateClient();
        holder.DefaultRequestHeaders.Add("X-Api-Key", key);
        var forbidden = await holder.PutAsync("/api/v1/admin/datasets/x", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task Admin_put_metadata_lists_every_schema_violation_by_json_path()
    {
        using var client = factory.CreateAdminClient();
        const string body = """{"identifier":"Bad Id","title":{"en":"no zh"},"openClass":"maybe","fields":[{"name":"ok"},{"name":"Bad-Name","type":"money"}]}""";
        var response = await client.PutAsync("/api/v1/admin/datasets/bad", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var paths = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("path").GetString()).ToList();
        Assert.Contains("$.identifier", paths);
        Assert.Contains("$.title", paths);
        Assert.Contains("$.openClass", paths);
        Assert.Contains("$.fields[1].name", paths);
        Assert.Contains("$.fields[1].type", paths);
        Assert.Contains("$", paths); // missing required properties
    }

    [Fact]
    public async Task Admin_can_register_upload_a_version_as_raw_csv_and_as_multipart_and_retire()
    {
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        using var client = factory.CreateAdminClient();
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-admin"));
        var put = await client.PutAsync($"/api/v1/admin/datasets/{def.Identifier}",
            new StringContent(JsonSerializer.Serialize(def, DatasetDefinition.JsonOptions), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var raw = await client.PostAsync($"/api/v1/admin/datasets/{def.Identifier}/versions",
            new StringContent("id,name\n1,甲\n2,乙\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.Created, raw.StatusCode);

        using var form = new MultipartFormDataContent { { new StringContent("id,name\n1,甲\n2,乙\n3,丙\n", Encoding.UTF8, "text/csv"), "file", "v2.csv" } };
        var multipart = await client.PostAsync($"/api/v1/admin/datasets/{def.Identifier}/versions", form);
        Assert.Equal(HttpStatusCode.Created, multipart.StatusCode);
        Assert.Equal(2, (await multipart.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32());

        var bad = await client.PostAsync($"/api/v1/admin/datasets/{def.Identifier}/versions",
            new StringContent("id,name,id\n1,a,2\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.Equal(2, factory.Catalog.Current.Find(def.Identifier)!.Current!.Version);

        var retire = await client.PostAsync($"/api/v1/admin/datasets/{def.Identifier}/retire", null);
        Assert.Equal(HttpStatusCode.NoContent, retire.StatusCode);
        var entry = factory.Catalog.Current.Find(def.Identifier)!;
        Assert.True(entry.IsRetired);
        Assert.Equal(2, entry.Versions.Count);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/datasets/{def.Identifier}")).StatusCode);
    }

    private async Task<List<string>> StrayDataTablesAsync()
    {
        await using var cmd = factory.Database.Writer.CreateCommand(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'data' AND c.relkind = 'r' AND NOT EXISTS (SELECT 1 FROM catalog.versions v WHERE v.table_name = c.relname)");
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            list.Add(r.GetString(0));
        }

        return list;
    }

    /// <summary>Progress that reports on the publishing thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<PublishProgress> report) : IProgress<PublishProgress>
    {
        public void Report(PublishProgress value) => report(value);
    }
}

public sealed class EmbeddedPostgresTests
{
    [Fact]
    public async Task Missing_server_binaries_give_one_message_naming_both_fixes()
    {
        var ex = await Assert.ThrowsAsync<DataOpen.Api.Infrastructure.EmbeddedPostgresException>(() =>
            DataOpen.Api.Infrastructure.EmbeddedPostgres.StartAsync(Path.Combine(Path.GetTempPath(), "dataopen-nobin"), "/nonexistent/bin", ephemeral: true, CancellationToken.None));
        Assert.Contains("apt-get install postgresql", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__DataOpen", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_embedded_cluster_is_reused_on_the_next_start()
    {
        var dir = Path.Combine(Path.GetTempPath(), "dataopen-reuse-" + Guid.NewGuid().ToString("N")[..8]);
        var first = await DataOpen.Api.Infrastructure.EmbeddedPostgres.StartAsync(dir, null, ephemeral: false, CancellationToken.None);
        await using (var conn = new Npgsql.NpgsqlConnection(first.SuperUserConnectionString()))
        {
            await conn.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand("CREATE DATABASE reuse_probe", conn);
            await cmd.ExecuteNonQueryAsync();
        }

        await first.DisposeAsync(); // stops the server, keeps the folder
        var second = await DataOpen.Api.Infrastructure.EmbeddedPostgres.StartAsync(dir, null, ephemeral: true, CancellationToken.None);
        try
        {
            await using var conn = new Npgsql.NpgsqlConnection(second.SuperUserConnectionString("reuse_probe"));
            await conn.OpenAsync(); // the database made before the restart is still there
        }
        finally
        {
            await second.DisposeAsync(); // ephemeral: stops and deletes the folder
        }

        Assert.False(Directory.Exists(dir));
    }
}

public sealed class DatasetsCliTests
{
    [Fact]
    public async Task Validate_reports_a_sample_folder_as_valid_and_a_broken_one_with_exit_code_1()
    {
        var repo = DataOpen.Api.Infrastructure.RepoPaths.RepositoryRoot!;
        var (ok, okOut) = await RunAsync("validate", Path.Combine(repo, "datasets", "digital-real-enterprises"));
        Assert.Equal(0, ok);
        Assert.Contains("2,000 rows read", okOut, StringComparison.Ordinal);

        var broken = TestFolders.New("cli");
        await File.WriteAllTextAsync(Path.Combine(broken, "dataset.json"), """{"identifier":"x"}""");
        var (bad, badOut) = await RunAsync("validate", broken);
        Assert.Equal(1, bad);
        Assert.Contains("$.identifier", badOut, StringComparison.Ordinal); // every violation by JSON path
        Assert.Contains("\"title\"", badOut, StringComparison.Ordinal); // missing properties are named at $

        var (usage, _) = await RunAsync("frobnicate", broken);
        Assert.Equal(2, usage);
    }

    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DataOpen.Api.dll"));
        psi.ArgumentList.Add("datasets");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["COLUMNS"] = "200";
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await output + await error);
    }
}
