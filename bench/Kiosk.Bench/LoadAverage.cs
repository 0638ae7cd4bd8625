namespace Kiosk.Bench;

/// <summary>The machine's load average (1, 5, 15 minutes) from /proc/loadavg, to print beside timings taken on a shared machine.</summary>
internal static class LoadAverage
{
    public static string Read() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
