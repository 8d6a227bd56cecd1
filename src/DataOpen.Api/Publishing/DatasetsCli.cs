using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using DataOpen.Core.Catalog;
using DataOpen.Core.Ingest;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace DataOpen.Api.Publishing;

/// <summary>
/// <c>datasets validate &lt;folder&gt;</c> and <c>datasets publish &lt;folder&gt;</c>: the same executable as the
/// service, the same configuration (embedded cluster under .data/ or ConnectionStrings__DataOpen).
/// Exit codes: 0 ok, 1 invalid data or metadata, 2 usage, 3 conflict or unreadable file.
/// </summary>
public static class DatasetsCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 2 || args[0] is not ("validate" or "publish"))
        {
            AnsiConsole.MarkupLine("Usage: [bold]datasets validate <folder>[/] | [bold]datasets publish <folder>[/]");
            AnsiConsole.MarkupLine("The folder holds dataset.json and the data file it names.");
            return 2;
        }

        var folder = Path.GetFullPath(args[1]);
        var read = MetadataValidator.ReadFile(Path.Combine(folder, "dataset.json"));
        if (!read.IsValid)
        {
            var table = new Table().AddColumn("JSON path").AddColumn("Problem");
            foreach (var v in read.Violations)
            {
                table.AddRow(Markup.Escape(v.Path), Markup.Escape(v.Message));
            }

            AnsiConsole.MarkupLine($"[red]dataset.json is invalid ({read.Violations.Count} violations)[/]");
            AnsiConsole.Write(table);
            return 1;
        }

        var definition = read.Definition!;
        var source = Path.Combine(folder, definition.Source.File);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDataOpenInfrastructure().AddCatalog().AddPublishing();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        using var host = builder.Build();
        var options = host.Services.GetRequiredService<IOptions<DataOpenOptions>>().Value;
        var ingestOptions = new IngestOptions { MaxFieldBytes = options.MaxFieldBytes };

        try
        {
            if (args[0] == "validate")
            {
                ValidationReport report = null!;
                await AnsiConsole.Status().StartAsync("Reading " + Path.GetFileName(source), async _ =>
                {
                    report = await Task.Run(() => IngestPipeline.Validate(definition, source, ingestOptions));
                });
                PrintReport(definition, report);
                return report.IsValid ? 0 : 1;
            }

            var database = host.Services.GetRequiredService<Database>();
            await using (database)
            {
                var logger = host.Services.GetRequiredService<ILogger<Database>>();
                await DatabaseStartup.OpenAsync(database, builder.Configuration, options, logger, CancellationToken.None, asGuest: true);
                await Migrator.MigrateAsync(database.Writer, CancellationToken.None);
                await host.Services.GetRequiredService<SeedLoader>().LoadAsync(CancellationToken.None);
                await host.Services.GetRequiredService<CatalogStore>().ReloadAsync(CancellationToken.None);
                var publisher = host.Services.GetRequiredService<DatasetPublisher>();

                PublishResult result = null!;
                await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new SpinnerColumn(), new ElapsedTimeColumn())
                    .StartAsync(async ctx =>
                    {
                        var task = ctx.AddTask($"Publishing {definition.Identifier}");
                        task.IsIndeterminate = true;
                        var progress = new Progress<PublishProgress>(p => task.Description = $"{definition.Identifier}: {p.Stage} {p.Rows:N0} rows");
                        result = await publisher.PublishAsync(definition, source, Environment.UserName, progress, CancellationToken.None);
                        task.StopTask();
                    });

                if (result.Report is not null)
                {
                    PrintReport(definition, result.Report);
                }

                var message = result.Status switch
                {
                    PublishStatus.Published => $"[green]Published {definition.Identifier} version {result.Version}: {result.Rows:N0} rows (sha256 {result.Sha256[..12]}…)[/]",
                    PublishStatus.Unchanged => $"[yellow]Unchanged: {definition.Identifier} version {result.Version} already has this file (sha256 {result.Sha256[..12]}…); metadata refreshed[/]",
                    _ => $"[red]Not published: {result.Report!.RejectedValueCount:N0} values rejected[/]",
                };
                AnsiConsole.MarkupLine(message);
                return result.Status == PublishStatus.Invalid ? 1 : 0;
            }
        }
        catch (IngestException ex)
        {
            AnsiConsole.MarkupLine($"[red]Unreadable file:[/] {Markup.Escape(ex.Message)}");
            return 3;
        }
        catch (MetadataException ex)
        {
            foreach (var v in ex.Violations)
            {
                AnsiConsole.MarkupLine($"[red]{Markup.Escape(v.Path)}[/]: {Markup.Escape(v.Message)}");
            }

            return 1;
        }
        catch (PublishConflictException ex)
        {
            AnsiConsole.MarkupLine($"[red]Conflict:[/] {Markup.Escape(ex.Message)}");
            return 3;
        }
        catch (EmbeddedPostgresException ex)
        {
            AnsiConsole.MarkupLine($"[red]Database:[/] {Markup.Escape(ex.Message)}");
            return 3;
        }
    }

    private static void PrintReport(DatasetDefinition definition, ValidationReport report)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(definition.Identifier)}[/] {Markup.Escape(definition.Title.Zh)}: {report.TotalRows:N0} rows read, {report.RejectedValueCount:N0} values rejected");
        if (report.Columns.Count > 0)
        {
            var cols = new Table().AddColumn("Field").AddColumn("Type").AddColumn("Source header");
            foreach (var c in report.Columns)
            {
                cols.AddRow(Markup.Escape(c.Name), c.Type.ToName(), Markup.Escape(c.Header));
            }

            AnsiConsole.Write(cols);
        }

        if (report.RejectedValueCount > 0)
        {
            var table = new Table().AddColumn("Row").AddColumn("Column").AddColumn("Value").AddColumn("Reason");
            foreach (var v in report.RejectedValues.Take(50))
            {
                table.AddRow(v.Row.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(v.Column), Markup.Escape(v.Value), Markup.Escape(v.Reason));
            }

            AnsiConsole.Write(table);
            if (report.RejectedValueCount > 50)
            {
                AnsiConsole.MarkupLine($"… and {report.RejectedValueCount - 50:N0} more.");
            }
        }
    }
}
