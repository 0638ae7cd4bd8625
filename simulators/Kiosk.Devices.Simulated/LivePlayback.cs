namespace Kiosk.Devices.Simulated;

/// <summary>
/// Plays out what a simulated capture reports live (pen samples, levels) over <see cref="SimulationOptions.LiveCaptureDuration"/>:
/// in ticks of <see cref="Tick"/> on the injected clock (<see cref="SimulatedDelay"/>, so a test's fake clock drives it and
/// nothing sleeps), each tick reporting the next equal share of the items, in order. With no duration everything is
/// reported at once, without waiting. The same items and the same waits whether or not there is a reporter: a capture
/// takes as long whether or not a screen watches it.
/// </summary>
internal static class LivePlayback
{
    /// <summary>20 reports a second, as often as a screen redraws what it echoes.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    /// <param name="report">Gets each item's index, in order, once; null when nobody listens.</param>
    public static async Task PlayAsync(TimeProvider timeProvider, TimeSpan duration, int count, Action<int>? report, CancellationToken cancellationToken)
    {
        var ticks = duration > TimeSpan.Zero ? Math.Max(1, (int)Math.Ceiling(duration / Tick)) : 0;
        var next = 0;
        for (var tick = 1; tick <= ticks; tick++)
        {
            await SimulatedDelay.WaitAsync(timeProvider, duration / ticks, cancellationToken).ConfigureAwait(false);
            next = ReportUpTo(next, (int)((long)count * tick / ticks), report);
        }

        ReportUpTo(next, count, report);
    }

    private static int ReportUpTo(int next, int end, Action<int>? report)
    {
        for (; next < end; next++)
        {
            report?.Invoke(next);
        }

        return next;
    }
}
