using Kiosk.Devices;

namespace Kiosk.Agent.Session;

/// <summary>
/// Gathers the pad's pen samples (100 to 200 a second) into <c>pen</c> activities the screen can draw: a batch goes out once
/// <see cref="Interval"/> has passed since the last one (at most 20 a second), at once when the pen lifts (so a stroke's
/// end shows without waiting for the next one), and whatever is left at <see cref="Flush"/> when the capture ends. Samples
/// keep the pad's order across batches. Safe to call from the device's thread and the step's; each call returns at once.
/// </summary>
internal sealed class PenEcho(TimeProvider timeProvider, Action<SessionActivity> report) : IProgress<PenProgress>
{
    /// <summary>Shortest time between two batches: 50 ms, 20 a second, about a screen's redraw for a moving pen.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private readonly Lock _lock = new();
    private readonly List<PenProgress> _pending = [];
    private long _lastBatch = timeProvider.GetTimestamp();
    private bool _penDown;

    public void Report(PenProgress value)
    {
        lock (_lock)
        {
            _pending.Add(value);
            var lifted = _penDown && !value.Sample.PenDown;
            _penDown = value.Sample.PenDown;
            if (lifted || timeProvider.GetElapsedTime(_lastBatch) >= Interval)
            {
                SendPending();
            }
        }
    }

    /// <summary>Sends what has not gone out yet (the capture ended, or failed).</summary>
    public void Flush()
    {
        lock (_lock)
        {
            SendPending();
        }
    }

    private void SendPending()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var batch = SessionActivities.Pen([.. _pending]);
        _pending.Clear();
        _lastBatch = timeProvider.GetTimestamp();
        report(batch);
    }
}
