using DataOpen.Api.Catalog;
using DataOpen.Core.Catalog;

namespace DataOpen.Api.Access;

public enum AccessOutcome
{
    /// <summary>Serve the data.</summary>
    Allowed,

    /// <summary>403: the dataset is conditional and the caller holds no live grant.</summary>
    NeedsGrant,

    /// <summary>404: not-open, retired or unknown; indistinguishable on purpose.</summary>
    Hidden,
}

/// <summary>
/// The decision for one request on one dataset's rows (any door). <see cref="Message"/> explains a refusal and how to apply.
/// <see cref="Fields"/> limits an allowed request to the fields a grant covers (null: every field); each door hands it to the
/// query engine as <see cref="DataOpen.Core.Query.RowQuery.AllowedFields"/>, which serves only those and refuses any other.
/// </summary>
public sealed record AccessDecision(AccessOutcome Outcome, string? Message = null, string? ApplyUrl = null, IReadOnlySet<string>? Fields = null)
{
    public static readonly AccessDecision Allow = new(AccessOutcome.Allowed);
}

/// <summary>
/// The one rule every door (REST rows and downloads, OData, GraphQL, pages) asks before serving rows
/// of a dataset, so open classes are enforced the same way everywhere. Metadata of conditional
/// datasets is public; their rows need a grant. Not-open datasets are never served.
/// </summary>
public interface IDatasetAccess
{
    ValueTask<AccessDecision> AuthorizeRowsAsync(HttpContext http, DatasetEntry dataset, string door, CancellationToken ct);

    /// <summary>
    /// Doors report what they served after serving it (rows of <paramref name="dataset"/> at
    /// <paramref name="version"/>, the query as the client wrote it): counted in usage, and every access to
    /// conditional data is appended to the audit log. Implementations without usage or audit (the plain
    /// open-class rule, test fakes) have nothing to record.
    /// </summary>
    ValueTask RecordServedAsync(HttpContext http, DatasetEntry dataset, int? version, string door, string? query, long rows, CancellationToken ct) =>
        ValueTask.CompletedTask;
}

/// <summary>Door names used in usage counters and audit records.</summary>
public static class Doors
{
    public const string Rest = "rest";
    public const string Download = "download";
    public const string OData = "odata";
    public const string GraphQL = "graphql";
    public const string Pages = "pages";
    public const string Ckan = "ckan";
}

/// <summary>
/// Open-class rule without grants: unconditional data is open to all, conditional data is refused
/// with directions to apply, not-open data is hidden. The access-control feature replaces this with
/// a grant-aware implementation.
/// </summary>
public sealed class OpenClassAccess : IDatasetAccess
{
    public ValueTask<AccessDecision> AuthorizeRowsAsync(HttpContext http, DatasetEntry dataset, string door, CancellationToken ct) =>
        ValueTask.FromResult(Decide(http, dataset));

    public static AccessDecision Decide(HttpContext http, DatasetEntry dataset)
    {
        if (!dataset.IsServed || dataset.IsRetired)
        {
            return new AccessDecision(AccessOutcome.Hidden, $"No dataset '{dataset.Identifier}' is published.");
        }

        if (dataset.OpenClass == OpenClasses.Conditional)
        {
            var apply = $"{CatalogEndpoints.BaseUrl(http.Request)}/datasets/{dataset.Identifier}#apply";
            return new AccessDecision(AccessOutcome.NeedsGrant,
                $"Dataset '{dataset.Identifier}' is conditionally open (有条件开放): its metadata is public, its rows are served only to API keys with an approved application. " +
                $"Conditions: {dataset.Metadata.OpenConditions?.Zh}{(dataset.Metadata.OpenConditions?.En is { } en ? " / " + en : "")}. Apply at {apply}.",
                apply);
        }

        return AccessDecision.Allow;
    }
}
