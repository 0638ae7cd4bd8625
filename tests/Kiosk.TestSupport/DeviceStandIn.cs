using System.IO.Ports;

namespace Kiosk.TestSupport;

/// <summary>
/// The device end of a <see cref="SocatPair"/>: reads what the code under test sends and lets a protocol subclass
/// answer in real frames. Runs on its own task until disposed or the line drops.
/// </summary>
public abstract class DeviceStandIn : IDisposable
{
    private readonly SerialPort _port;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<byte> _received = [];
    private readonly List<(string Request, TaskCompletionSource Source)> _waits = [];
    private readonly Task _loop;

    protected DeviceStandIn(string devicePath)
    {
        _port = new SerialPort(devicePath, 115200);
        _port.Open();
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Every request seen so far, as the subclass named it (e.g. "20 01").</summary>
    public List<string> Requests { get; } = [];

    /// <summary>Completes when a request with this name arrives (to act while the code under test waits for the answer).</summary>
    public Task WhenReceived(string request)
    {
        lock (Requests)
        {
            var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits.Add((request, source));
            if (Requests.Contains(request))
            {
                source.TrySetResult();
            }

            return source.Task;
        }
    }

    /// <summary>Takes one complete request off the front of <paramref name="buffer"/>, or returns null to wait for more bytes.</summary>
    protected abstract (string Name, byte[] Request, int Consumed)? TakeRequest(List<byte> buffer);

    /// <summary>The bytes to answer with (possibly none).</summary>
    protected abstract IEnumerable<byte[]> Answer(string name, byte[] request);

    private async Task RunAsync()
    {
        var chunk = new byte[4096];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var count = await _port.BaseStream.ReadAsync(chunk, _stop.Token).ConfigureAwait(false);
                if (count == 0)
                {
                    return;
                }

                _received.AddRange(chunk.AsSpan(0, count));
                while (TakeRequest(_received) is { } taken)
                {
                    _received.RemoveRange(0, taken.Consumed);
                    lock (Requests)
                    {
                        Requests.Add(taken.Name);
                        foreach (var wait in _waits.Where(w => w.Request == taken.Name))
                        {
                            wait.Source.TrySetResult();
                        }
                    }

                    foreach (var bytes in Answer(taken.Name, taken.Request))
                    {
                        await _port.BaseStream.WriteAsync(bytes, _stop.Token).ConfigureAwait(false);
                        await _port.BaseStream.FlushAsync(_stop.Token).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            // Stopped, or the line dropped (socat killed): the device is gone.
        }
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        _stop.Cancel();
        _loop.Wait(TimeSpan.FromSeconds(10));
        try
        {
            _port.Dispose();
        }
        catch (IOException)
        {
            // the pty is already gone
        }

        _stop.Dispose();
    }
}
