namespace Kiosk.Devices.Audio;

/// <summary>
/// Reports the levels of audio that was read at once (a file) as if it were being heard: each level when the clock has
/// reached its <see cref="AudioLevel.Elapsed"/>, checked every <see cref="AudioLevel.Interval"/> on the injected
/// <see cref="TimeProvider"/>, the rest at <see cref="Finish"/>. In order and each once, whichever thread the timer fires on.
/// </summary>
internal sealed class LevelPlayback : IDisposable
{
    private readonly IReadOnlyList<AudioLevel> _levels;
    private readonly IProgress<AudioLevel> _reporter;
    private readonly TimeProvider _timeProvider;
    private readonly long _started;
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private int _next;

    public LevelPlayback(IReadOnlyList<AudioLevel> levels, IProgress<AudioLevel> reporter, TimeProvider timeProvider)
    {
        _levels = levels;
        _reporter = reporter;
        _timeProvider = timeProvider;
        _started = timeProvider.GetTimestamp();
        _timer = timeProvider.CreateTimer(static state => ((LevelPlayback)state!).ReportDue(), this, AudioLevel.Interval, AudioLevel.Interval);
    }

    /// <summary>The audio has been heard to its end: reports what is left.</summary>
    public void Finish()
    {
        _timer.Dispose();
        ReportUpTo(TimeSpan.MaxValue);
    }

    public void Dispose() => _timer.Dispose();

    private void ReportDue() => ReportUpTo(_timeProvider.GetElapsedTime(_started));

    private void ReportUpTo(TimeSpan elapsed)
    {
        lock (_lock)
        {
            for (; _next < _levels.Count && _levels[_next].Elapsed <= elapsed; _next++)
            {
                _reporter.Report(_levels[_next]);
            }
        }
    }
}
