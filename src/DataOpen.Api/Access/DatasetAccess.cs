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

/// <summary>The decision for one request on one dataset's rows (any door). <see cref="Message"/> explains a refusal and how to apply.</summary>
public sealed record AccessDecision(AccessOutcome Outcome, string? Message = null, string? ApplyUrl = null)
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
