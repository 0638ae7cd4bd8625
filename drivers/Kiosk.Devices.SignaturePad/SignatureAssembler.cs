namespace Kiosk.Devices.SignaturePad;

internal enum AssemblyStep
{
    Continue,
    /// <summary>The pen stayed up for the idle time; the report offered belongs to whatever comes next.</summary>
    CompleteBefore,
}

/// <summary>
/// Turns the pen reports of one capture into ISO/IEC 19794-7 style samples: the series starts at the
/// first pen-down (t = 0 there), keeps hover samples between strokes, and ends when the pen has been up
/// for the idle time by the event clock. Not thread safe.
/// </summary>
/// <param name="idleMicroseconds">Pen-up time that ends the signature.</param>
/// <param name="settled">
/// Gets each sample once it can no longer change, in order: only the newest sample may still be merged with a report in
/// the same millisecond, so a sample settles when the next one is added, and the last at <see cref="Finish"/>. The samples
/// it gets are exactly <see cref="Samples"/>; null costs nothing.
/// </param>
internal sealed class SignatureAssembler(long idleMicroseconds, Action<PenSample>? settled = null)
{
    private readonly List<PenSample> _samples = [];
    private int _settledCount;
    private long _first;
    private long? _penUpSince;
    private bool _lastDown;

    public bool SawPenDown { get; private set; }

    /// <summary>True while the pen is up after writing, when silence for the idle time ends the signature.</summary>
    public bool AwaitingIdle => SawPenDown && !_lastDown;

    public IReadOnlyList<PenSample> Samples => _samples;

    /// <summary>The signature is complete: settles the last sample.</summary>
    public void Finish() => Settle(_samples.Count);

    public AssemblyStep Offer(PenReport report)
    {
        var down = report.PenDown;
        if (!SawPenDown)
        {
            if (!down)
            {
                return AssemblyStep.Continue;
            }

            SawPenDown = true;
            _first = report.TimestampMicroseconds;
        }
        else if (_penUpSince is { } upAt && report.TimestampMicroseconds - upAt >= idleMicroseconds)
        {
            return AssemblyStep.CompleteBefore;
        }

        if (!down && !report.InProximity && !_lastDown)
        {
            return AssemblyStep.Continue; // the pen is away: nothing to record until it comes back
        }

        Add(report, down);
        _lastDown = down;
        _penUpSince = down ? null : _penUpSince ?? report.TimestampMicroseconds;
        return AssemblyStep.Continue;
    }

    private void Add(PenReport report, bool down)
    {
        var t = (report.TimestampMicroseconds - _first) / 1000;
        var sample = new PenSample(report.X, report.Y, t, down ? report.Pressure : 0, down);
        if (_samples.Count > 0 && t <= _samples[^1].T)
        {
            var previous = _samples[^1];
            if (previous.PenDown == down)
            {
                // Two reports in one millisecond: keep the later position, t stays strictly increasing.
                _samples[^1] = sample with { T = previous.T };
                return;
            }

            // A lift or touch inside the same millisecond is kept, one millisecond later.
            sample = sample with { T = previous.T + 1 };
        }

        Settle(_samples.Count);
        _samples.Add(sample);
    }

    private void Settle(int count)
    {
        if (settled is null)
        {
            return;
        }

        for (; _settledCount < count; _settledCount++)
        {
            settled(_samples[_settledCount]);
        }
    }
}
