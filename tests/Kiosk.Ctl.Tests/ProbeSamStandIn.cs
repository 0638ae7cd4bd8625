using System.Buffers.Binary;
using System.IO.Ports;

namespace Kiosk.Ctl.Tests;

/// <summary>
/// The least of a GA/T 467 SAM at the device end of a <see cref="ProbeSocatPair"/>: it answers "read SAM id"
/// (CMD 12 PARA FF) with a real frame, which is what the reader's health check asks. Frame layout as in the driver:
/// AA AA AA 96 69, length (2, big-endian), SW1 SW2 SW3, data, XOR checksum over length through data.
/// </summary>
internal sealed class ProbeSamStandIn : IDisposable
{
    public const string SamId = "0501000000000000000000000000000A";

    private readonly SerialPort _port;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    public ProbeSamStandIn(string devicePath)
    {
        _port = new SerialPort(devicePath, 115200);
        _port.Open();
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Commands received so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public static byte[] Response(byte sw3, ReadOnlySpan<byte> data)
    {
        var length = 3 + data.Length + 1;
        var frame = new byte[7 + length];
        new byte[] { 0xAA, 0xAA, 0xAA, 0x96, 0x69 }.CopyTo(frame, 0);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(5), (ushort)length);
        frame[7] = 0x00;
        frame[8] = 0x00;
        frame[9] = sw3;
        data.CopyTo(frame.AsSpan(10));
        byte sum = 0;
        foreach (var b in frame.AsSpan(5, frame.Length - 6))
        {
            sum ^= b;
        }

        frame[^1] = sum;
        return frame;
    }

    private async Task RunAsync()
    {
        var received = new List<byte>();
        var chunk = new byte[256];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var count = await _port.BaseStream.ReadAsync(chunk, _stop.Token);
                if (count == 0)
                {
                    return;
                }

                received.AddRange(chunk.AsSpan(0, count));

                // Host commands without data are 10 bytes: preamble, length 00 03, CMD, PARA, checksum.
                while (received.IndexOf(0xAA) is var start and >= 0 && received.Count - start >= 10)
                {
                    var command = received.GetRange(start, 10);
                    received.RemoveRange(0, start + 10);
                    Interlocked.Increment(ref _requests);
                    var answer = (command[7], command[8]) is (0x12, 0xFF)
                        ? Response(0x90, Convert.FromHexString(SamId))
                        : Response(0x21, []);
                    await _port.BaseStream.WriteAsync(answer, _stop.Token);
                    await _port.BaseStream.FlushAsync(_stop.Token);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            // stopped, or the line dropped
        }
    }

    public void Dispose()
    {
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
