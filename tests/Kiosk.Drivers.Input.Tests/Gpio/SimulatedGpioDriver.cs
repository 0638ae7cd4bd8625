using System.Device.Gpio;

namespace Kiosk.Drivers.Input.Tests.Gpio;

/// <summary>
/// A GPIO chip in memory: outputs remember what was written (with a log of level changes), inputs take
/// levels from the test (<see cref="Drive"/>), which raises the edge callbacks synchronously as the kernel's
/// event thread would. An input with a pull-up reads High until driven. Scripted fault: the next read or write throws.
/// </summary>
internal sealed class SimulatedGpioDriver : GpioDriver
{
    private readonly Dictionary<int, PinMode> _modes = [];
    private readonly Dictionary<int, PinValue> _levels = [];
    private readonly Dictionary<int, List<(PinEventTypes Types, PinChangeEventHandler Handler)>> _callbacks = [];
    private readonly Lock _gate = new();

    public Exception? FailNextRead { get; set; }

    public Exception? FailNextWrite { get; set; }

    /// <summary>Every level change written to an output, in order.</summary>
    public List<(int Pin, PinValue Value)> Writes { get; } = [];

    public bool IsOpen(int pin)
    {
        lock (_gate)
        {
            return _modes.ContainsKey(pin);
        }
    }

    public PinValue Level(int pin)
    {
        lock (_gate)
        {
            return _levels.GetValueOrDefault(pin, PinValue.Low);
        }
    }

    /// <summary>Sets an input's level from outside (a switch, a PIR module) and raises its edge callbacks.</summary>
    public void Drive(int pin, PinValue value)
    {
        List<PinChangeEventHandler> handlers;
        PinEventTypes edge;
        lock (_gate)
        {
            var previous = _levels.GetValueOrDefault(pin, PinValue.Low);
            _levels[pin] = value;
            if (previous == value)
            {
                return;
            }

            edge = value == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
            handlers = [.. _callbacks.GetValueOrDefault(pin, []).Where(c => c.Types.HasFlag(edge)).Select(c => c.Handler)];
        }

        handlers.ForEach(h => h(this, new PinValueChangedEventArgs(edge, pin)));
    }

    protected override int PinCount => 64;

    protected override void OpenPin(int pinNumber)
    {
        lock (_gate)
        {
            _modes[pinNumber] = PinMode.Input;
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            _modes.Remove(pinNumber);
            _callbacks.Remove(pinNumber);
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate)
        {
            _modes[pinNumber] = mode;
            if (mode == PinMode.InputPullUp && !_levels.ContainsKey(pinNumber))
            {
                _levels[pinNumber] = PinValue.High;
            }
        }
    }

    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate)
        {
            return _modes[pinNumber];
        }
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber)
    {
        lock (_gate)
        {
            if (FailNextRead is { } failure)
            {
                FailNextRead = null;
                throw failure;
            }

            return _levels.GetValueOrDefault(pinNumber, PinValue.Low);
        }
    }

    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_gate)
        {
            if (FailNextWrite is { } failure)
            {
                FailNextWrite = null;
                throw failure;
            }

            if (_levels.GetValueOrDefault(pinNumber, PinValue.Low) != value || Writes.Count == 0)
            {
                Writes.Add((pinNumber, value));
            }

            _levels[pinNumber] = value;
        }
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the drivers under test use callbacks");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            if (!_callbacks.TryGetValue(pinNumber, out var list))
            {
                _callbacks[pinNumber] = list = [];
            }

            list.Add((eventTypes, callback));
        }
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            _callbacks.GetValueOrDefault(pinNumber)?.RemoveAll(c => c.Handler == callback);
        }
    }

    public int CallbackCount(int pin)
    {
        lock (_gate)
        {
            return _callbacks.GetValueOrDefault(pin)?.Count ?? 0;
        }
    }
}
