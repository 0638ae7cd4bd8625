using System.Globalization;

namespace Kiosk.Ctl.Status;

/// <summary>Sizes, durations and times the way a technician reads them.</summary>
internal static class Human
{
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.##} GiB"),
    };

    public static string Duration(TimeSpan span)
    {
        span = span.Duration();
        return span switch
        {
            { TotalSeconds: < 60 } => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0} s"),
            { TotalMinutes: < 60 } => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes} min"),
            { TotalHours: < 48 } => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h {span.Minutes:00} min"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays} d {span.Hours} h"),
        };
    }

    /// <summary>Output to a file or pipe has no width: use a wide one rather than Spectre's 80 columns, so rows do not wrap in logs.</summary>
    public static void WidenTablesWhenRedirected()
    {
        if (Console.IsOutputRedirected)
        {
            Spectre.Console.AnsiConsole.Profile.Width = 160;
        }
    }

    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";
}
