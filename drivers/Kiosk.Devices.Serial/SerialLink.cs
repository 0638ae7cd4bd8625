using System.IO.Ports;

namespace Kiosk.Devices.Serial;

/// <summary>
/// The serial line under a UART device driver, with the driver's frame reader on top. Either the link owns a
/// <see cref="SerialPort"/> (8N1 at the configured rate) that it opens on demand and opens again after the device went
/// away, or it was given a stream the caller opened (a USB bridge, a test's pseudo-terminal), which it disposes only
/// when handed over to dispose. Not thread-safe: a driver runs one operation at a time (DeviceBase sees to that).
/// </summary>
/// <typeparam name="TReader">The driver's frame or packet reader, made for each stream the link opens.</typeparam>
public sealed class SerialLink<TReader> : IDisposable
    where TReader : class
{
    private readonly Func<Stream, TReader> _readerFor;
    private readonly Action<DeviceStatus, string> _setStatus;
    private readonly int _baudRate;
    private readonly bool _disposeStream;
    private SerialPort? _port;
    private Stream? _stream;
    private TReader? _reader;

    /// <summary>A link that opens <paramref name="portName"/> itself (see <see cref="TryOpen"/>).</summary>
    /// <param name="setStatus">The driver's status setter: the link reports NoDevice when the port cannot be opened or went away.</param>
    public SerialLink(string portName, int baudRate, Func<Stream, TReader> readerFor, Action<DeviceStatus, string> setStatus)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(portName);
        ArgumentNullException.ThrowIfNull(readerFor);
        ArgumentNullException.ThrowIfNull(setStatus);
        _setStatus = setStatus;
        PortName = portName;
        _baudRate = baudRate;
        _readerFor = readerFor;
        OwnsPort = true;
        _disposeStream = true;
    }

    /// <summary>A link on a stream the caller opened; <paramref name="disposeStream"/> hands it over to be disposed.</summary>
    public SerialLink(Stream stream, string portName, bool disposeStream, Func<Stream, TReader> readerFor, Action<DeviceStatus, string> setStatus)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(readerFor);
        ArgumentNullException.ThrowIfNull(setStatus);
        _setStatus = setStatus;
        PortName = portName;
        _readerFor = readerFor;
        _disposeStream = disposeStream;
        _stream = stream;
        _reader = readerFor(stream);
    }

    /// <summary>The port's name (or what the caller called the stream it gave), for messages.</summary>
    public string PortName { get; }

    /// <summary>True when the link opens the port itself and can open it again.</summary>
    public bool OwnsPort { get; }

    public bool IsOpen => _stream is not null;

    public Stream Stream => _stream ?? throw new InvalidOperationException($"{PortName} is not open");

    public TReader Reader => _reader ?? throw new InvalidOperationException($"{PortName} is not open");

    /// <summary>
    /// Opens the port when the link owns it and it is closed (at open, and again after the device went away). A port
    /// that cannot be opened sets the device NoDevice; a given stream that was closed cannot be opened again.
    /// </summary>
    public DeviceResult<Done> Open()
    {
        if (_stream is not null)
        {
            return DeviceResult<Done>.Success(default);
        }

        if (!OwnsPort)
        {
            return DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, "the stream given to the reader is gone");
        }

        var port = new SerialPort(PortName, _baudRate, Parity.None, 8, StopBits.One);
        try
        {
            port.Open();
            (_port, _stream) = (port, port.BaseStream);
            _reader = _readerFor(_stream);
            return DeviceResult<Done>.Success(default);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException or ArgumentException)
        {
            port.Dispose();
            _setStatus(DeviceStatus.NoDevice, ex.Message);
            return DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, $"cannot open {PortName}: {ex.Message}", ex.GetType().Name);
        }
    }

    /// <summary>The line failed under an operation (unplugged, port closed): let it go, set NoDevice and say so.</summary>
    public DeviceResult<T> WentAway<T>(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Close();
        _setStatus(DeviceStatus.NoDevice, error.Message);
        return DeviceResult<T>.Failure(CompletionCode.DeviceNotReady, $"{PortName} went away: {error.Message}", error.GetType().Name);
    }

    /// <summary>Drops bytes the device sent that nobody asked for (the driver also clears its reader's buffer).</summary>
    public void DiscardInput() => _port?.DiscardInBuffer();

    /// <summary>
    /// Lets the line go (the device went away, or the driver is disposed): what the link owns or was handed over is
    /// disposed; a later <see cref="TryOpen"/> opens an owned port again.
    /// </summary>
    public void Close()
    {
        var (stream, port) = (_stream, _port);
        (_stream, _port, _reader) = (null, null, null);
        try
        {
            if (_disposeStream)
            {
                stream?.Dispose();
                port?.Dispose();
            }
        }
        catch (IOException)
        {
            // A port whose device vanished may fail to close; it is closed as far as we are concerned.
        }
    }

    public void Dispose() => Close();
}
