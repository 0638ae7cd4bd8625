using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Kiosk.Fleet.Measuring;

namespace Kiosk.Fleet.Broker;

/// <summary>
/// The fleet's own Mosquitto 2: plain TCP on a free loopback port, its configuration and log in the run folder, no
/// connection limit. <see cref="KillAsync"/> is a SIGKILL (the storm) and <see cref="StartAsync"/> brings it back on the
/// same port. Its CPU time is summed over every process it ran (<see cref="CpuSeconds"/>).
/// Thread safety: one caller at a time (the run's scenario loop); <see cref="CpuSeconds"/> may be read from any thread.
/// </summary>
internal sealed class FleetBroker : IAsyncDisposable
{
    private readonly string _executable;
    private readonly string _configPath;
    private readonly TextWriter _log;
    private readonly Lock _gate = new();
    private Process? _process;
    private double _finishedCpuSeconds;
    private double _lastCpuSeconds;

    private FleetBroker(string executable, string folder, int port, TextWriter log)
    {
        _executable = executable;
        _log = log;
        Port = port;
        Directory.CreateDirectory(folder);
        _configPath = Path.Combine(folder, "mosquitto.conf");
        // max_connections -1: no limit (the open-file limit is the real one, raised by kiosk.sh). No persistence: a broker
        // that was killed comes back empty, as one without a disk would; the kiosks' outboxes and resends cover it.
        // max_queued_messages 0 (no limit) so a platform instance that is away finds everything sent meanwhile. The log
        // goes to stderr, which this process forwards: run as root, Mosquitto drops to its own user, which cannot write
        // a log file in the run folder.
        File.WriteAllText(_configPath, $"""
            listener {port} 127.0.0.1
            allow_anonymous true
            max_connections -1
            persistence false
            max_inflight_messages 0
            max_queued_messages 0
            log_dest stderr
            log_type error
            log_type warning

            """);
    }

    public int Port { get; }

    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>User plus system CPU seconds of every broker process so far (the running one as of now).</summary>
    public double CpuSeconds
    {
        get
        {
            lock (_gate)
            {
                if (_process is { HasExited: false } p && ProcessCpu.Seconds(p.Id) is { } now)
                {
                    _lastCpuSeconds = now;
                }

                return _finishedCpuSeconds + _lastCpuSeconds;
            }
        }
    }

    public static async Task<FleetBroker> StartAsync(string executable, string folder, TextWriter log, CancellationToken ct)
    {
        var broker = new FleetBroker(executable, folder, FreeLoopbackPort(), log);
        await broker.StartAsync(ct).ConfigureAwait(false);
        return broker;
    }

    /// <summary>Starts the broker (again) on its port and returns once it accepts connections.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        if (_process is { HasExited: false })
        {
            return;
        }

        var start = new ProcessStartInfo(_executable, ["-c", _configPath]) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{_executable} did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"cannot run {_executable} ({ex.Message}); install Mosquitto 2 with 'apt-get install -y mosquitto' (./kiosk.sh fleet does)", ex);
        }

        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) _log.WriteLine("mosquitto: " + line); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        lock (_gate)
        {
            _process = process;
            _lastCpuSeconds = 0;
        }

        // Should this process end without disposing the broker (an unhandled signal), the broker must not outlive it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Killed and disposed already (KillAsync): nothing left to end.
            }
        };

        // The port is free again at once after a SIGKILL (the listener does not linger), but the new process takes a
        // moment to bind it: wait for the listener, bounded so a broker that cannot start stops the run with its log.
        var started = Stopwatch.GetTimestamp();
        while (!await AcceptsAsync(ct).ConfigureAwait(false))
        {
            if (process.HasExited || Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(20))
            {
                throw new InvalidOperationException($"mosquitto did not listen on 127.0.0.1:{Port} (exit code {(process.HasExited ? process.ExitCode : -1)})); its messages are above, prefixed 'mosquitto:'");
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    /// <summary>SIGKILL: no goodbye to any client, no state saved.</summary>
    public async Task KillAsync()
    {
        Process? process;
        lock (_gate)
        {
            process = _process;
            if (process is null)
            {
                return;
            }

            _lastCpuSeconds = ProcessCpu.Seconds(process.Id) ?? _lastCpuSeconds;
        }

        if (!process.HasExited)
        {
            process.Kill();
        }

        await process.WaitForExitAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _finishedCpuSeconds += _lastCpuSeconds;
            _lastCpuSeconds = 0;
            _process = null;
        }

        process.Dispose();
    }

    public async ValueTask DisposeAsync() => await KillAsync().ConfigureAwait(false);

    private async Task<bool> AcceptsAsync(CancellationToken ct)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, Port, ct).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
