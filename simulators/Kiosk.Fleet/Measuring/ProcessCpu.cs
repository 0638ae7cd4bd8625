using System.Globalization;

namespace Kiosk.Fleet.Measuring;

/// <summary>CPU time and resident memory of a process, from Linux's /proc (proc(5)).</summary>
internal static class ProcessCpu
{
    /// <summary>
    /// USER_HZ, the unit of utime and stime in /proc/PID/stat: 100 on every Linux architecture .NET runs on (the kernel
    /// exports clock_t to user space at this fixed rate whatever its internal HZ; sysconf(_SC_CLK_TCK) reports it).
    /// </summary>
    private const double TicksPerSecond = 100;

    /// <summary>utime + stime of <paramref name="pid"/> in seconds; null when the process is gone or /proc is missing.</summary>
    public static double? Seconds(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return ParseStat(stat);
    }

    /// <summary>
    /// utime (field 14) + stime (field 15) of a /proc/PID/stat line, in seconds. The command name (field 2) is in
    /// parentheses and may itself hold spaces and parentheses, so fields are counted after its last ')'.
    /// </summary>
    internal static double? ParseStat(string stat)
    {
        var end = stat.LastIndexOf(')');
        if (end < 0)
        {
            return null;
        }

        // After ") " come field 3 (state) onwards: utime is the 12th of those, stime the 13th.
        var fields = stat[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 12
            && long.TryParse(fields[11], NumberStyles.Integer, CultureInfo.InvariantCulture, out var utime)
            && long.TryParse(fields[12], NumberStyles.Integer, CultureInfo.InvariantCulture, out var stime)
            ? (utime + stime) / TicksPerSecond
            : null;
    }

    /// <summary>This process's resident set (VmRSS) in KiB; 0 where /proc is missing.</summary>
    public static long ResidentKib()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var digits = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(digits, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        return 0;
    }

    /// <summary>This process's soft limit on open files (RLIMIT_NOFILE) from /proc/self/limits; null where unknown.</summary>
    public static long? OpenFileLimit()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var parts = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return parts.Length > 0 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var soft) ? soft : null;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return null;
    }
}
