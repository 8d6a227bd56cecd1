using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using DataOpen.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.Access;

/// <summary>One year's arrangement from the State Council's notice: days off (放假) and weekend days worked (调休上班).</summary>
public sealed record CalendarYear(int Year, string Notice, IReadOnlySet<DateOnly> Holidays, IReadOnlySet<DateOnly> Workdays);

/// <summary>
/// Working days of the Chinese public calendar, for the due dates of applications: Monday to Friday,
/// less the public holidays, plus the adjusted working weekend days, as the yearly notices of the
/// General Office of the State Council arrange them (seeds/work-calendar.json, read at start).
/// A year the file does not hold counts Monday to Friday only, with a warning logged the first time
/// the year is met, so a missing notice is noticed instead of silently giving wrong deadlines.
/// </summary>
public sealed class WorkCalendar
{
    public const string FileName = "work-calendar.json";

    private readonly FrozenSet<DateOnly> holidays;
    private readonly FrozenSet<DateOnly> workdays;
    private readonly FrozenSet<int> years;
    private readonly ConcurrentDictionary<int, bool> warned = new();
    private readonly ILogger logger;

    public WorkCalendar(IOptions<DataOpenOptions> options, ILogger<WorkCalendar> logger)
        : this(Load(Path.Combine(RepoPaths.Resolve(options.Value.SeedsPath), FileName), logger), logger)
    {
    }

    public WorkCalendar(IReadOnlyList<CalendarYear> arrangements, ILogger logger)
    {
        this.logger = logger;
        holidays = arrangements.SelectMany(y => y.Holidays).ToFrozenSet();
        workdays = arrangements.SelectMany(y => y.Workdays).ToFrozenSet();
        years = arrangements.Select(y => y.Year).ToFrozenSet();
    }

    /// <summary>The years whose official arrangement is known.</summary>
    public IEnumerable<int> Years => years.Order();

    public bool IsWorkingDay(DateOnly day)
    {
        if (!years.Contains(day.Year) && warned.TryAdd(day.Year, true))
        {
            logger.LogWarning(
                "seeds/{File} has no holiday arrangement for {Year}: due dates in that year count Monday to Friday only. Add the State Council's notice for that year to the file.",
                FileName, day.Year);
        }

        if (workdays.Contains(day))
        {
            return true;
        }

        return !holidays.Contains(day) && day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
    }

    /// <summary>The day on which <paramref name="days"/> working days after <paramref name="start"/> have passed (start itself is not counted).</summary>
    public DateOnly AddWorkingDays(DateOnly start, int days)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        var d = start;
        var left = days;
        while (left > 0)
        {
            d = d.AddDays(1);
            if (IsWorkingDay(d))
            {
                left--;
            }
        }

        return d;
    }

    private static List<CalendarYear> Load(string path, ILogger logger)
    {
        if (!File.Exists(path))
        {
            logger.LogWarning("{Path} is missing: due dates count Monday to Friday only, without public holidays.", path);
            return [];
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Reads and checks the file; a mistake fails the start with a message naming the file and the entry.</summary>
    public static List<CalendarYear> Parse(string json, string where)
    {
        var list = new List<CalendarYear>();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{where}: not valid JSON: {ex.Message}", ex);
        }

        using (doc)
        {
            if (!doc.RootElement.TryGetProperty("years", out var entries) || entries.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidOperationException($"{where}: the property 'years' (an array) is missing.");
            }

            foreach (var (i, y) in entries.EnumerateArray().Index())
            {
                try
                {
                    list.Add(ReadYear(y, list));
                }
                catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
                {
                    throw new InvalidOperationException($"{where}: years[{i}] is invalid: {ex.Message}", ex);
                }
            }
        }

        return list;
    }

    private static CalendarYear ReadYear(JsonElement y, List<CalendarYear> earlier)
    {
        var year = y.GetProperty("year").GetInt32();
        if (earlier.Any(e => e.Year == year))
        {
            throw new InvalidOperationException($"the year {year} appears twice.");
        }

        var holidays = new HashSet<DateOnly>();
        foreach (var h in y.GetProperty("holidays").EnumerateArray())
        {
            var (from, to) = (Date(h.GetProperty("from")), Date(h.GetProperty("to")));
            if (to < from || to.DayNumber - from.DayNumber > 31)
            {
                throw new InvalidOperationException($"the holiday '{h.GetProperty("name").GetString()}' runs from {from:yyyy-MM-dd} to {to:yyyy-MM-dd}.");
            }

            for (var d = from; d <= to; d = d.AddDays(1))
            {
                holidays.Add(d);
            }
        }

        var workdays = new HashSet<DateOnly>();
        foreach (var w in y.GetProperty("workdays").EnumerateArray())
        {
            var d = Date(w.GetProperty("date"));
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                throw new InvalidOperationException($"the adjusted working day {d:yyyy-MM-dd} is a {d.DayOfWeek}: only weekend days are listed as working days.");
            }

            if (holidays.Contains(d))
            {
                throw new InvalidOperationException($"{d:yyyy-MM-dd} is both a holiday and a working day.");
            }

            workdays.Add(d);
        }

        return new CalendarYear(year, y.GetProperty("notice").GetString() ?? "", holidays, workdays);
    }

    private static DateOnly Date(JsonElement e) =>
        DateOnly.ParseExact(e.GetString() ?? throw new FormatException("a date is null."), "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
