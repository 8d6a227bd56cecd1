using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DataOpen.Api.Access;
using DataOpen.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataOpen.Api.Tests.Access;

[Collection(ApiTests.Name)]
public sealed class KeyTests(DataOpenFactory factory)
{
    [Fact]
    public async Task A_new_key_is_shown_once_with_a_recognisable_prefix_and_works_in_header_bearer_and_query()
    {
        var (key, id) = await AccessHelpers.NewKeyAsync(factory);
        Assert.Matches("^dok_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}$", key);
        Assert.Equal(key.Substring(4, 8), id);

        using var header = AccessHelpers.ClientWithKey(factory, key);
        var me = await header.GetFromJsonAsync<JsonElement>("/api/v1/keys/me");
        Assert.Equal(id, me.GetProperty("id").GetString());
        Assert.Equal("registered", me.GetProperty("limits").GetProperty("tier").GetString());
        Assert.True(me.GetProperty("remaining").GetProperty("daily").GetInt64() > 0);
        Assert.Equal(0, me.GetProperty("grants").GetArrayLength());

        using var bearer = factory.CreateClient();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync("/api/v1/keys/me")).StatusCode);

        using var query = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await query.GetAsync($"/api/v1/keys/me?api_key={key}")).StatusCode);
    }

    [Theory]
    [InlineData("not-a-key")]
    [InlineData("dok_AAAAAAAA_0123456789abcdef0123456789abcdef")]
    public async Task An_invalid_key_is_a_401_problem_not_anonymous(string presented)
    {
        using var client = AccessHelpers.ClientWithKey(factory, presented);
        var response = await client.GetAsync("/api/v1/datasets");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("not valid", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_holder_endpoints_need_a_key()
    {
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/keys/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/applications/mine")).StatusCode);
    }

    [Fact]
    public async Task Rotating_a_key_stops_the_old_one_at_once_and_keeps_the_record()
    {
        var (key, id) = await AccessHelpers.NewKeyAsync(factory);
        using var old = AccessHelpers.ClientWithKey(factory, key);
        Assert.Equal(HttpStatusCode.OK, (await old.GetAsync("/api/v1/keys/me")).StatusCode); // now cached

        var rotated = await old.PostAsync("/api/v1/keys/me/rotate", null);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var newKey = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        Assert.NotEqual(key, newKey);

        Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetAsync("/api/v1/keys/me")).StatusCode);
        using var fresh = AccessHelpers.ClientWithKey(factory, newKey);
        var me = await fresh.GetFromJsonAsync<JsonElement>("/api/v1/keys/me");
        Assert.NotEqual(id, me.GetProperty("id").GetString());
        Assert.Equal("Test holder", me.GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_revoked_key_is_refused_with_401_saying_so()
    {
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        using var client = AccessHelpers.ClientWithKey(factory, key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/keys/me")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/v1/keys/me")).StatusCode);

        var after = await client.GetAsync("/api/v1/datasets");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("revoked", (await after.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_key_is_refused_with_401_saying_so()
    {
        var (key, _) = await AccessHelpers.NewKeyAsync(factory, expiresAt: DateTimeOffset.UtcNow.AddSeconds(2));
        using var client = AccessHelpers.ClientWithKey(factory, key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/keys/me")).StatusCode);
        await Task.Delay(2500);

        var after = await client.GetAsync("/api/v1/keys/me");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("expired", (await after.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registration_names_the_missing_or_bad_field()
    {
        using var client = factory.CreateClient();
        var noEmail = await client.PostAsJsonAsync("/api/v1/keys", new { name = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, noEmail.StatusCode);
        Assert.Equal("email", (await noEmail.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("parameter").GetString());

        var badEmail = await client.PostAsJsonAsync("/api/v1/keys", new { name = "x", email = "nope" });
        Assert.Equal(HttpStatusCode.BadRequest, badEmail.StatusCode);

        var past = await client.PostAsJsonAsync("/api/v1/keys", new { name = "x", email = "a@b.cn", expiresAt = DateTimeOffset.UtcNow.AddDays(-1) });
        Assert.Equal(HttpStatusCode.BadRequest, past.StatusCode);

        var malformed = await client.PostAsync("/api/v1/keys", new StringContent("{\"name\":", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Fact]
    public async Task The_plaintext_key_is_never_stored_in_any_table_nor_written_to_any_log()
    {
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        using (var header = AccessHelpers.ClientWithKey(factory, key))
        {
            await header.GetAsync("/api/v1/keys/me");
            await header.GetAsync("/api/v1/datasets?q=空气");
            await header.GetAsync("/api/v1/no-such-endpoint");
        }

        using (var query = factory.CreateClient())
        {
            await query.GetAsync($"/api/v1/keys/me?api_key={key}");
            await query.GetAsync($"/api/v1/datasets/no-such-dataset?api_key={key}");
        }

        using (var rotating = AccessHelpers.ClientWithKey(factory, key))
        {
            var rotated = await rotating.PostAsync("/api/v1/keys/me/rotate", null);
            var newKey = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
            await factory.Services.GetRequiredService<UsageCounter>().FlushAsync(CancellationToken.None);
            await AssertNowhereAsync(key);
            await AssertNowhereAsync(newKey);
        }
    }

    private async Task AssertNowhereAsync(string key)
    {
        var secret = key[13..]; // the random part alone must not appear either
        Assert.DoesNotContain(factory.Logs.Messages, m => m.Contains(secret, StringComparison.Ordinal));

        await using var conn = await factory.Database.Writer.OpenConnectionAsync();
        var columns = new List<(string Schema, string Table, string Column, string Type)>();
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT c.table_schema, c.table_name, c.column_name, c.data_type FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
            WHERE c.table_schema IN ('public', 'catalog', 'access', 'audit', 'restricted') AND c.data_type IN ('text', 'character varying', 'jsonb', 'bytea', 'ARRAY')
            """, conn))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            while (await r.ReadAsync())
            {
                columns.Add((r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3)));
            }
        }

        Assert.Contains(columns, c => c is ("access", "keys", "hash", "bytea"));
        foreach (var (schema, table, column, type) in columns)
        {
            var test = type == "bytea" ? $"position(convert_to($1, 'UTF8') in \"{column}\") > 0" : $"strpos(\"{column}\"::text, $1) > 0";
            await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {schema}.\"{table}\" WHERE {test}", conn);
            cmd.Parameters.Add(new() { Value = secret });
            Assert.True((long)(await cmd.ExecuteScalarAsync())! == 0, $"{schema}.{table}.{column} holds the key");
        }
    }
}
