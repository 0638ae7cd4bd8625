namespace Kiosk.Devices.Simulated;

/// <summary>
/// The faults a simulated device will show: a queue of one-shot faults, each for the next operation
/// only, and a persistent fault used when the queue is empty. Thread safe.
/// </summary>
public sealed class FaultScript
{
    private readonly Queue<SimulatedFault> _next = new();
    private readonly Lock _gate = new();
    private SimulatedFault _persistent;

    /// <summary>The fault of every operation for which no one-shot fault is queued.</summary>
    public SimulatedFault Persistent
    {
        get
        {
            lock (_gate)
            {
                return _persistent;
            }
        }

        set
        {
            lock (_gate)
            {
                _persistent = value;
            }
        }
    }

    /// <summary>Queues a fault for the next operation only.</summary>
    public void Next(SimulatedFault fault)
    {
        lock (_gate)
        {
            _next.Enqueue(fault);
        }
    }

    /// <summary>The fault of the operation starting now.</summary>
    internal SimulatedFault Take()
    {
        lock (_gate)
        {
            return _next.TryDequeue(out var fault) ? fault : _persistent;
        }
    }
}
