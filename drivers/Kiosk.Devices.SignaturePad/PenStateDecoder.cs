namespace Kiosk.Devices.SignaturePad;

/// <summary>
/// Keeps the pen state between SYN_REPORTs the way the kernel reports it (only changed axes are sent)
/// and yields one <see cref="PenReport"/> per SYN_REPORT. The state outlives a capture, as the
/// kernel's does. After SYN_DROPPED the events up to the next SYN_REPORT are discarded and that report
/// is not emitted (Documentation/input/event-codes.rst); the state is not re-synchronised by ioctl.
/// Not thread safe.
/// </summary>
internal sealed class PenStateDecoder(EvdevSignaturePadOptions options)
{
    private int _x;
    private int _y;
    private int _pressure;
    private bool _touch;
    private bool _inProximity;
    private bool _dropping;
    private long _lastReport = -1;

    /// <summary>Applies one event; returns a report at SYN_REPORT, or a description of why the event is impossible.</summary>
    public (PenReport? Report, string? Error) Apply(InputEvent e)
    {
        if (!e.IsPlausibleTime)
        {
            return (null, $"impossible timestamp in {e}");
        }

        if (e.Type == EvdevCodes.EvSyn)
        {
            return Synchronise(e);
        }

        if (_dropping)
        {
            return (null, null);
        }

        return e.Type switch
        {
            EvdevCodes.EvAbs => Axis(e),
            EvdevCodes.EvKey => Key(e),
            // EV_MSC (serial numbers, scan codes) and the like carry nothing for the signature.
            _ => (null, null),
        };
    }

    private (PenReport?, string?) Synchronise(InputEvent e)
    {
        if (e.Code == EvdevCodes.SynDropped)
        {
            _dropping = true;
            return (null, null);
        }

        if (e.Code != EvdevCodes.SynReport)
        {
            return (null, null);
        }

        var time = e.TimestampMicroseconds;
        if (time < _lastReport)
        {
            return (null, $"time went backwards at {e}");
        }

        _lastReport = time;
        if (_dropping)
        {
            _dropping = false;
            return (null, null);
        }

        return (new PenReport(time, _x, _y, _pressure, _touch, _inProximity), null);
    }

    private (PenReport?, string?) Axis(InputEvent e)
    {
        switch (e.Code)
        {
            case EvdevCodes.AbsX when e.Value >= 0 && e.Value <= options.MaxX:
                _x = e.Value;
                break;
            case EvdevCodes.AbsY when e.Value >= 0 && e.Value <= options.MaxY:
                _y = e.Value;
                break;
            case EvdevCodes.AbsPressure when e.Value >= 0 && e.Value <= options.MaxPressure:
                _pressure = e.Value;
                break;
            case EvdevCodes.AbsX or EvdevCodes.AbsY or EvdevCodes.AbsPressure:
                return (null, $"axis value outside the configured range in {e}");
        }

        return (null, null);
    }

    private (PenReport?, string?) Key(InputEvent e)
    {
        // Key values: 0 release, 1 press, 2 autorepeat (Documentation/input/input.rst).
        if (e.Code is EvdevCodes.BtnTouch or EvdevCodes.BtnToolPen && e.Value is < 0 or > 2)
        {
            return (null, $"impossible key value in {e}");
        }

        if (e.Code == EvdevCodes.BtnTouch)
        {
            _touch = e.Value != 0;
        }
        else if (e.Code == EvdevCodes.BtnToolPen)
        {
            _inProximity = e.Value != 0;
        }

        return (null, null);
    }
}
