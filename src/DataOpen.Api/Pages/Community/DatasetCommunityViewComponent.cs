using DataOpen.Api.Community;
using DataOpen.Api.Pages.Datasets;
using Microsoft.AspNetCore.Mvc;

namespace DataOpen.Api.Pages.Community;

public sealed record DatasetCommunityModel(string Dataset, RatingSummary Rating, IReadOnlyList<RatingComment> Comments, IReadOnlyList<Reuse> Reuses, string? Message, bool Failed);

/// <summary>The ratings and reuses of one dataset on its page, with the rating form (posted to <c>/datasets/{id}/rating</c>).</summary>
public sealed class DatasetCommunityViewComponent(RatingStore ratings, ReuseStore reuses) : ViewComponent
{
    public const int Shown = 20;

    public async Task<IViewComponentResult> InvokeAsync(string dataset)
    {
        var ct = HttpContext.RequestAborted;
        var message = TempData?[RatingModel.MessageKey] as string;
        var failed = TempData?[RatingModel.FailedKey] is true;
        return View(new DatasetCommunityModel(dataset, await ratings.SummaryAsync(dataset, ct), await ratings.CommentsAsync(dataset, Shown, ct),
            await reuses.PublishedAsync(dataset, null, null, Shown, ct), message, failed));
    }
}
