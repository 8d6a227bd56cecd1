using System.Globalization;
using DataOpen.Api.Catalog;

namespace DataOpen.Api.Pages;

/// <summary>Values as the pages print them: invariant numbers, dates as ISO, timestamps in Beijing time.</summary>
public static class PageFormat
{
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    public static string Value(object? value) => value switch
    {
        null => "",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToOffset(Beijing).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public static string Date(DateTimeOffset t) => t.ToOffset(Beijing).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string DateTime(DateTimeOffset t) => t.ToOffset(Beijing).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KB",
        < 1024L * 1024 * 1024 => (bytes / 1024.0 / 1024).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes / 1024.0 / 1024 / 1024).ToString("0.##", CultureInfo.InvariantCulture) + " GB",
    };

    /// <summary>True when on time, false when overdue, null when the frequency has no schedule (<see cref="UpdateSchedule"/>).</summary>
    public static bool? OnTime(string frequency, DateTimeOffset lastModified, DateTimeOffset now) => UpdateSchedule.OnTime(frequency, lastModified, now);
}
