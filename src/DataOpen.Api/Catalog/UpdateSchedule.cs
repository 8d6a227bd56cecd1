namespace DataOpen.Api.Catalog;

/// <summary>When a dataset with a given update frequency (更新频率) is overdue: the page's badge and the quality check use the same rule.</summary>
public static class UpdateSchedule
{
    /// <summary>
    /// Longest time between updates that still counts as on schedule for a declared frequency (with a
    /// day's grace); null for irregular or never, which have no schedule to miss.
    /// </summary>
    public static TimeSpan? MaxAge(string frequency) => frequency switch
    {
        "real-time" => TimeSpan.FromDays(1),
        "daily" => TimeSpan.FromDays(2),
        "weekly" => TimeSpan.FromDays(8),
        "monthly" => TimeSpan.FromDays(32),
        "quarterly" => TimeSpan.FromDays(93),
        "half-yearly" => TimeSpan.FromDays(185),
        "yearly" => TimeSpan.FromDays(367),
        _ => null,
    };

    /// <summary>True when on time, false when overdue, null when the frequency has no schedule.</summary>
    public static bool? OnTime(string frequency, DateTimeOffset lastModified, DateTimeOffset now) =>
        MaxAge(frequency) is { } max ? now - lastModified <= max : null;
}
