using System.Text.Json;
using DataOpen.Api.Access;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Publishing;
using DataOpen.Core.Catalog;
using DataOpen.Core.Ingest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.Admin;

public sealed record RegisteredDataset(string Identifier, long Id, string Status, int? CurrentVersion);

public sealed record PublishedVersion(string Identifier, string Status, int? Version, long Rows, string Sha256, ValidationSummary? Validation);

public sealed record RejectedValueDto(long Row, string Column, string Value, string Reason);

public sealed record ValidationSummary(long RowsRead, long RejectedCount, IReadOnlyList<RejectedValueDto> Rejected);

/// <summary>Admin doors for publishers: register metadata, upload versions, retire datasets.</summary>
public static class AdminEndpoints
{
    private static readonly Dictionary<string, string> FormatsByMediaType = new(StringComparer.OrdinalIgnoreCase)
    {
        ["text/csv"] = "csv",
        ["application/csv"] = "csv",
        ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"] = "xlsx",
        ["application/x-ndjson"] = "jsonl",
        ["application/jsonl"] = "jsonl",
        ["application/json-lines"] = "jsonl",
    };

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/admin/datasets").WithTags("Admin").AddEndpointFilter(AccessFilters.Steward).WithStrictQuery()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapPut("/{id}", PutMetadata).WithName("AdminPutDatasetMetadata")
            .WithSummary("Create or update a dataset's metadata (the dataset.json document).")
            .Accepts<JsonElement>("application/json").ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapPost("/{id}/versions", UploadVersion).WithName("AdminUploadVersion")
            .WithSummary("Publish a new version: multipart/form-data with a 'file' part, or the raw file as the body (text/csv, XLSX, application/x-ndjson).")
            .DisableAntiforgery()
            .AcceptsQuery("filename")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.DisableRequestSizeLimitAttribute())
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{id}/versions/{version:int}/indexes", IndexPlanOf).WithName("AdminVersionIndexPlan")
            .WithSummary("The index plan of a version as built: every index on its table with its fields, kind (btree, brin, gin), origin (row-id, key, declared, composite, statistics, brin, trigram, adaptive), bytes and build time.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/retire", Retire).WithName("AdminRetireDataset")
            .WithSummary("Retire a dataset: no longer listed or served; its versions are kept.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<RegisteredDataset>, ProblemHttpResult>> PutMetadata(string id, HttpContext http, HttpRequest request, DatasetPublisher publisher, CatalogStore catalog, AuditLog audit, CancellationToken ct)
    {
        var caller = http.GetCaller();
        if (catalog.Current.Find(id) is { } existing && !caller.Stewards(existing.Metadata.Publisher))
        {
            return NotYourDataset(caller, id);
        }

        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(ct);
        var read = MetadataValidator.Read(text);
        if (!read.IsValid)
        {
            return InvalidMetadata(read.Violations);
        }

        if (read.Definition!.Identifier != id)
        {
            return InvalidMetadata([new("$.identifier", $"the identifier '{read.Definition.Identifier}' differs from the URL's '{id}'")]);
        }

        if (!caller.Stewards(read.Definition.Publisher))
        {
            return Problems.Forbidden("forbidden", $"The key {caller.Actor} stewards '{caller.PublisherId}', not the publisher '{read.Definition.Publisher}' named in the metadata.");
        }

        try
        {
            var dbId = await publisher.RegisterAsync(read.Definition, caller.Actor, ct);
            await audit.AdminAsync(caller, "register", id, new { publisher = read.Definition.Publisher, openClass = read.Definition.OpenClass }, ct);
            var entry = catalog.Current.Find(id);
            return TypedResults.Ok(new RegisteredDataset(id, dbId, entry?.Status ?? "active", entry?.Current?.Version));
        }
        catch (MetadataException ex)
        {
            return InvalidMetadata(ex.Violations);
        }
        catch (PublishConflictException ex)
        {
            return Problems.Conflict(ex.Message);
        }
    }

    private static async Task<Results<Created<PublishedVersion>, Ok<PublishedVersion>, ProblemHttpResult>> UploadVersion(
        string id, HttpContext http, HttpRequest request, DatasetPublisher publisher, CatalogStore catalog, AuditLog audit, IOptions<DataOpenOptions> options, CancellationToken ct)
    {
        var caller = http.GetCaller();
        var entry = catalog.Current.Find(id);
        if (entry is null)
        {
            return Problems.NotFound($"No dataset '{id}' is registered; PUT its metadata first.");
        }

        if (!caller.Stewards(entry.Metadata.Publisher))
        {
            return NotYourDataset(caller, id);
        }

        var temp = Path.Combine(Path.GetTempPath(), $"dataopen-upload-{Guid.NewGuid():N}");
        try
        {
            string? fileName;
            string? format;
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(ct);
                var file = form.Files.GetFile("file");
                if (file is null)
                {
                    return Problems.BadRequest("missing-file", "The multipart body has no part named 'file'.", "file");
                }

                fileName = file.FileName;
                format = FormatFor(file.ContentType, fileName);
                await using var target = File.Create(temp);
                await file.CopyToAsync(target, ct);
            }
            else
            {
                fileName = request.Query["filename"].FirstOrDefault();
                format = FormatFor(request.ContentType, fileName);
                await using var target = File.Create(temp);
                await CopyLimitedAsync(request.Body, target, options.Value.MaxUploadBytes, ct);
            }

            if (format is null)
            {
                return Problems.BadRequest("unsupported-format",
                    "Cannot tell the file's format: send Content-Type text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or application/x-ndjson, or a file name ending in .csv, .xlsx or .jsonl.", "Content-Type");
            }

            var definition = entry.Metadata with { Source = entry.Metadata.Source with { File = Path.GetFileName(temp), Format = format } };
            var result = await publisher.PublishAsync(definition, temp, caller.Actor, null, ct);
            var dto = ToDto(result);
            if (result.Status == PublishStatus.Published)
            {
                await audit.AdminAsync(caller, "publish", id, new { version = result.Version, rows = result.Rows, sha256 = result.Sha256 }, ct);
            }

            return result.Status switch
            {
                PublishStatus.Published => TypedResults.Created($"/api/v1/datasets/{id}/versions/{result.Version}", dto),
                PublishStatus.Unchanged => TypedResults.Ok(dto),
                _ => Problems.Unprocessable("validation-failed", $"{result.Report!.RejectedValueCount} values were rejected; nothing was published.",
                    new Dictionary<string, object?> { ["validation"] = dto.Validation }),
            };
        }
        catch (IngestException ex)
        {
            return Problems.Unprocessable("unreadable-file", ex.Message, new Dictionary<string, object?> { ["problem"] = ex.Problem.ToString(), ["row"] = ex.Row, ["column"] = ex.Column });
        }
        catch (MetadataException ex)
        {
            return InvalidMetadata(ex.Violations);
        }
        catch (PublishConflictException ex)
        {
            return Problems.Conflict(ex.Message);
        }
        catch (UploadTooLargeException ex)
        {
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, "upload-too-large", "Upload too large", ex.Message);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static async Task<Results<Ok<List<VersionIndex>>, ProblemHttpResult>> IndexPlanOf(string id, int version, HttpContext http, CatalogStore catalog, Database database, CancellationToken ct)
    {
        var caller = http.GetCaller();
        if (catalog.Current.Find(id) is not { } entry)
        {
            return Problems.NotFound($"No dataset '{id}' is registered.");
        }

        if (!caller.Stewards(entry.Metadata.Publisher))
        {
            return NotYourDataset(caller, id);
        }

        if (entry.FindVersion(version) is null)
        {
            return Problems.NotFound($"Dataset '{id}' has no version {version}.");
        }

        return TypedResults.Ok(await VersionIndexes.ListAsync(database.Writer, entry.Id, version, ct));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Retire(string id, HttpContext http, DatasetPublisher publisher, CatalogStore catalog, AuditLog audit, CancellationToken ct)
    {
        var caller = http.GetCaller();
        var entry = catalog.Current.Find(id);
        if (entry is null)
        {
            return Problems.NotFound($"No dataset '{id}' is registered.");
        }

        if (!caller.Stewards(entry.Metadata.Publisher))
        {
            return NotYourDataset(caller, id);
        }

        await publisher.RetireAsync(id, caller.Actor, ct);
        await audit.AdminAsync(caller, "retire", id, null, ct);
        return TypedResults.NoContent();
    }

    internal static PublishedVersion ToDto(PublishResult r) => new(r.Identifier, r.Status.ToString().ToLowerInvariant(), r.Version, r.Rows, r.Sha256,
        r.Report is null ? null : new ValidationSummary(r.Report.TotalRows, r.Report.RejectedValueCount,
            r.Report.RejectedValues.Select(v => new RejectedValueDto(v.Row, v.Column, v.Value, v.Reason)).ToList()));

    private static ProblemHttpResult NotYourDataset(Caller caller, string id) =>
        Problems.Forbidden("forbidden", $"The key {caller.Actor} stewards '{caller.PublisherId}'; dataset '{id}' belongs to another publisher.");

    private static ProblemHttpResult InvalidMetadata(IReadOnlyList<MetadataViolation> violations) =>
        Problems.BadRequest("invalid-metadata", $"The dataset metadata has {violations.Count} violation(s).",
            extensions: new Dictionary<string, object?> { ["errors"] = violations.Select(v => new { path = v.Path, message = v.Message }).ToList() });

    private static string? FormatFor(string? contentType, string? fileName)
    {
        var media = contentType?.Split(';')[0].Trim();
        if (media is not null && FormatsByMediaType.TryGetValue(media, out var f))
        {
            return f;
        }

        return Path.GetExtension(fileName ?? "").ToLowerInvariant() switch
        {
            ".csv" => "csv",
            ".xlsx" => "xlsx",
            ".jsonl" or ".ndjson" => "jsonl",
            _ => null,
        };
    }

    private static async Task CopyLimitedAsync(Stream source, Stream target, long limit, CancellationToken ct)
    {
        var buffer = new byte[81920];
        long total = 0;
        int n;
        while ((n = await source.ReadAsync(buffer, ct)) > 0)
        {
            total += n;
            if (total > limit)
            {
                throw new UploadTooLargeException($"The upload is larger than the limit of {limit} bytes (DataOpen__MaxUploadBytes).");
            }

            await target.WriteAsync(buffer.AsMemory(0, n), ct);
        }
    }
}

public sealed class UploadTooLargeException(string message) : Exception(message);
