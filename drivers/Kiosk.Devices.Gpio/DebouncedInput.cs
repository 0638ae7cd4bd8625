using System.Device.Gpio;

namespace Kiosk.Devices.Gpio;

/// <summary>
/// One switch input. Every edge restarts a debounce timer; when the pin has been quiet for the debounce
/// time it is read again and, if the level differs from the stable one, the change is reported once.
/// A bouncing contact therefore gives exactly one change. Thread safe (edges come from the driver's
/// thread, timer ticks from the time provider's).
/// </summary>
internal sealed class DebouncedInput : IDisposable
{
    private readonly GpioController _controller;
    private readonly PinValue _activeLevel;
    private readonly TimeSpan _debounce;
    private readonly Action<DebouncedInput> _changed;
    private readonly Lock _gate = new();
    private readonly ITimer _timer;
    private bool _settling;

    public DebouncedInput(GpioController controller, int pin, PinValue activeLevel, TimeSpan debounce, TimeProvider timeProvider, Action<DebouncedInput> changed)
    {
        _controller = controller;
        Pin = pin;
        _activeLevel = activeLevel;
        _debounce = debounce;
        _changed = changed;
        _timer = timeProvider.CreateTimer(_ => Settle(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        IsActive = controller.Read(pin) == activeLevel;
        controller.RegisterCallbackForPinValueChangedEvent(pin, PinEventTypes.Rising | PinEventTypes.Falling, OnEdge);
    }

    public int Pin { get; }

    /// <summary>The debounced state: true while the switch is in its active position.</summary>
    public bool IsActive { get; private set; }

    /// <summary>
    /// Reads the pin now and starts debouncing when it disagrees with the stable state, so an edge the
    /// kernel dropped (its event queue can overflow) is still noticed. Throws what the controller throws.
    /// </summary>
    public void Sample()
    {
        var active = _controller.Read(Pin) == _activeLevel;
        lock (_gate)
        {
            if (active != IsActive && !_settling)
            {
                Restart();
            }
        }
    }

    public void Dispose()
    {
        _controller.UnregisterCallbackForPinValueChangedEvent(Pin, OnEdge);
        _timer.Dispose();
    }

    private void OnEdge(object sender, PinValueChangedEventArgs e)
    {
        lock (_gate)
        {
            Restart();
        }
    }

    private void Restart()
    {
        _settling = true;
        _timer.Change(_debounce, Timeout.InfiniteTimeSpan);
    }

    private void Settle()
    {
        bool changed;
        lock (_gate)
        {
            _settling = false;
            var active = _controller.Read(Pin) == _activeLevel;
            changed = active != IsActive;
            IsActive = active;
        }

        if (changed)
        {
            _changed(this);
        }
    }
}
