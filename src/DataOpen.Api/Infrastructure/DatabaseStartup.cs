using Microsoft.Extensions.Options;
using Npgsql;

namespace DataOpen.Api.Infrastructure;

/// <summary>
/// One step a feature runs at start-up, after the database is open and migrated and before the
/// server takes requests. Steps run one after another in <see cref="Order"/>.
/// </summary>
public interface IStartupStep
{
    /// <summary>Lower runs first. The features' steps use: 100 tidy-up, 200 reference seeds, 300 statistics, 400 catalog load, 500 sample catalog.</summary>
    int Order { get; }

    Task RunAsync(CancellationToken ct);
}

/// <summary>
/// Runs before the server takes requests: opens the database (provisioning the embedded cluster
/// when no connection string is configured), migrates, then runs every feature's
/// <see cref="IStartupStep"/> in order (seeds, the sample catalog, the first catalog snapshot).
/// </summary>
public sealed class DatabaseStartup(
    Database database,
    IConfiguration configuration,
    IOptions<DataOpenOptions> options,
    IEnumerable<IStartupStep> steps,
    ILogger<DatabaseStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await OpenAsync(database, configuration, options.Value, logger, cancellationToken);
        await Migrator.MigrateAsync(database.Writer, cancellationToken);
        await ConfigureReaderAsync(cancellationToken);
        foreach (var step in steps.OrderBy(s => s.Order))
        {
            await step.RunAsync(cancellationToken);
        }

        database.IsReady = true;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Opens <paramref name="database"/>; shared with the CLI verbs, which run without the web host. With
    /// asGuest (the CLI) an embedded cluster another process owns is used without ever being stopped.
    /// </summary>
    public static async Task OpenAsync(Database database, IConfiguration configuration, DataOpenOptions options, ILogger logger, CancellationToken ct, bool asGuest = false)
    {
        if (database.IsOpen)
        {
            return;
        }

        var configured = configuration.GetConnectionString("DataOpen");
        string writer;
        string reader;
        EmbeddedPostgres? embedded = null;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            writer = configured;
            reader = configuration.GetConnectionString("DataOpenReader") is { Length: > 0 } r
                ? r
                : new NpgsqlConnectionStringBuilder(configured) { Username = Database.ReaderRole, Password = options.ReaderPassword }.ConnectionString;
        }
        else
        {
            embedded = await EmbeddedPostgres.StartAsync(RepoPaths.Resolve(options.DataDirectory), options.PostgresBinDir, options.EphemeralDatabase, ct, asGuest);
            logger.LogInformation("Embedded PostgreSQL at {Dir} on 127.0.0.1:{Port}", embedded.DataDirectory, embedded.Port);
            await BootstrapEmbeddedAsync(embedded, ct);
            var builder = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = embedded.Port, Database = Database.DatabaseName, Username = Database.OwnerRole };
            writer = builder.ConnectionString;
            builder.Username = Database.ReaderRole;
            reader = builder.ConnectionString;
        }

        // Date parts and date/timestamp comparisons in queries use the district's time zone.
        // The client-side timeout is the one QueryRunner gives its reads (the statement timeout plus 10 s): a command
        // whose timeout differs from the connection's last one costs Npgsql a setsockopt per request.
        var readerBuilder = new NpgsqlConnectionStringBuilder(reader)
        {
            Options = $"-c statement_timeout={options.StatementTimeoutSeconds * 1000}", Timezone = "Asia/Shanghai", CommandTimeout = options.StatementTimeoutSeconds + 10,
        };
        var replicas = configuration.GetSection(ReplicaOptions.Section).Get<ReplicaOptions>() ?? new ReplicaOptions();
        System.ComponentModel.DataAnnotations.Validator.ValidateObject(replicas, new System.ComponentModel.DataAnnotations.ValidationContext(replicas), validateAllProperties: true);
        database.Open(writer, WithReplicas(readerBuilder, reader, writer, replicas), embedded, replicas);
    }

    /// <summary>
    /// The reader connection with read replicas: <see cref="ReplicaOptions.Hosts"/> (if set) followed by the
    /// primary become its hosts; a reader listing several hosts prefers standbys, balances the load over them and
    /// rechecks a failed host after 1 s, unless its connection string says otherwise.
    /// </summary>
    internal static string WithReplicas(NpgsqlConnectionStringBuilder readerBuilder, string givenReader, string writer, ReplicaOptions replicas)
    {
        if (!string.IsNullOrWhiteSpace(replicas.Hosts))
        {
            var primary = new NpgsqlConnectionStringBuilder(writer);
            var standbys = replicas.Hosts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            readerBuilder.Host = string.Join(',', standbys.Append($"{primary.Host}:{primary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));
        }

        if (readerBuilder.Host?.Contains(',', StringComparison.Ordinal) != true)
        {
            return readerBuilder.ConnectionString;
        }

        var given = givenReader.Replace(" ", "", StringComparison.Ordinal);
        readerBuilder.TargetSessionAttributes ??= "prefer-standby";
        if (!given.Contains("LoadBalanceHosts", StringComparison.OrdinalIgnoreCase))
        {
            readerBuilder.LoadBalanceHosts = true;
        }

        if (!given.Contains("HostRecheckSeconds", StringComparison.OrdinalIgnoreCase))
        {
            readerBuilder.HostRecheckSeconds = 1;
        }

        return readerBuilder.ConnectionString;
    }

    private static Task BootstrapEmbeddedAsync(EmbeddedPostgres pg, CancellationToken ct) => BootstrapAsync(pg.SuperUserConnectionString, ct);

    /// <summary>
    /// Creates the owner and reader roles, the database and the superuser-only extensions on a fresh server, given
    /// the superuser's connection string per database name (the embedded cluster; tests' primaries).
    /// </summary>
    internal static async Task BootstrapAsync(Func<string, string> superUser, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(superUser("postgres"));
        await conn.OpenAsync(ct);
        await using (var cmd = new NpgsqlCommand(
            $"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{Database.OwnerRole}') THEN CREATE ROLE {Database.OwnerRole} LOGIN CREATEROLE; END IF;
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{Database.ReaderRole}') THEN CREATE ROLE {Database.ReaderRole} LOGIN; END IF;
            END $$;
            GRANT {Database.ReaderRole} TO {Database.OwnerRole} WITH ADMIN OPTION;
            """, conn))
        {
            await cmd.ExecuteNonQueryAsync(ct);
        }

        await using (var check = new NpgsqlCommand($"SELECT 1 FROM pg_database WHERE datname = '{Database.DatabaseName}'", conn))
        {
            if (await check.ExecuteScalarAsync(ct) is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE {Database.DatabaseName} OWNER {Database.OwnerRole} ENCODING 'UTF8'", conn);
                await create.ExecuteNonQueryAsync(ct);
            }
        }

        // Extensions that are not marked trusted need a superuser to be created; the embedded cluster creates
        // those the server has (its own sharedir, same version as its binaries) so the owner role can use them.
        await using var db = new NpgsqlConnection(superUser(Database.DatabaseName));
        await db.OpenAsync(ct);
        foreach (var extension in SuperuserExtensions)
        {
            await using var available = new NpgsqlCommand("SELECT 1 FROM pg_available_extensions WHERE name = $1", db) { Parameters = { new() { Value = extension } } };
            if (await available.ExecuteScalarAsync(ct) is not null)
            {
                await using var create = new NpgsqlCommand($"CREATE EXTENSION IF NOT EXISTS {extension}", db);
                await create.ExecuteNonQueryAsync(ct);
            }
        }
    }

    /// <summary>hypopg: hypothetical indexes, which the adaptive indexes ask the planner about before building one.</summary>
    public static readonly string[] SuperuserExtensions = ["hypopg"];

    private async Task ConfigureReaderAsync(CancellationToken ct)
    {
        var password = options.Value.ReaderPassword;
        if (string.IsNullOrEmpty(password))
        {
            return;
        }

        // ALTER ROLE takes no parameters: the password is a quoted literal with quotes doubled.
        await using var cmd = database.Writer.CreateCommand($"ALTER ROLE {Database.ReaderRole} PASSWORD '{password.Replace("'", "''", StringComparison.Ordinal)}'");
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
