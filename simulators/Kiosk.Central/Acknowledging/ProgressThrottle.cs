using Kiosk.Central.Reassembly;

namespace Kiosk.Central.Acknowledging;

/// <summary>
/// Decides when an attachment's contiguous chunk count goes to the kiosk, so progress does not flood the ack topic:
/// a count is reported when it advanced since the last report and either gained at least <see cref="MinGain"/>
/// chunks or <see cref="MinInterval"/> has passed since that report (the first advance is reported at once).
/// An advance held back is reported by a timer when the interval is up, so the last count always goes out.
/// Thread-safe: advances come from the message path, held-back counts from timer threads; reports are made in order.
/// </summary>
internal sealed class ProgressThrottle(TimeProvider time, Action<AttachmentKey, int> report) : IDisposable
{
    public const int MinGain = 4;

    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(250);

    private readonly Lock _gate = new();
    private readonly Dictionary<AttachmentKey, State> _states = [];

    /// <summary>The platform now durably holds <paramref name="contiguous"/> chunks of the attachment from index 0 on.</summary>
    public void Advance(AttachmentKey key, int contiguous)
    {
        lock (_gate)
        {
            if (!_states.TryGetValue(key, out var state))
            {
                state = new State();
                _states.Add(key, state);
            }

            state.Latest = contiguous;
            if (contiguous <= state.Reported)
            {
                return;
            }

            var now = time.GetUtcNow();
            if (state.ReportedAt is not { } reportedAt || contiguous - state.Reported >= MinGain || now - reportedAt >= MinInterval)
            {
                Report(key, state, now);
            }
            else
            {
                state.Timer ??= time.CreateTimer(OnIntervalUp, key, reportedAt + MinInterval - now, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Stops tracking an attachment (stored, dropped, or to be resent whole).</summary>
    public void Forget(AttachmentKey key)
    {
        lock (_gate)
        {
            if (_states.Remove(key, out var state))
            {
                state.Timer?.Dispose();
            }
        }
    }

    /// <summary>Stops tracking every attachment of a record.</summary>
    public void Forget(RecordKey record)
    {
        lock (_gate)
        {
            foreach (var key in _states.Keys.Where(k => k.SiteId == record.SiteId && k.KioskId == record.KioskId && k.RecordId == record.RecordId).ToList())
            {
                _states.Remove(key, out var state);
                state!.Timer?.Dispose();
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var state in _states.Values)
            {
                state.Timer?.Dispose();
            }

            _states.Clear();
        }
    }

    private void OnIntervalUp(object? key)
    {
        lock (_gate)
        {
            if (_states.TryGetValue((AttachmentKey)key!, out var state))
            {
                state.Timer?.Dispose();
                state.Timer = null;
                if (state.Latest > state.Reported)
                {
                    Report((AttachmentKey)key!, state, time.GetUtcNow());
                }
            }
        }
    }

    private void Report(AttachmentKey key, State state, DateTimeOffset now)
    {
        state.Timer?.Dispose();
        state.Timer = null;
        state.Reported = state.Latest;
        state.ReportedAt = now;
        report(key, state.Latest);
    }

    private sealed class State
    {
        public int Latest { get; set; }

        public int Reported { get; set; }

        public DateTimeOffset? ReportedAt { get; set; }

        public ITimer? Timer { get; set; }
    }
}
