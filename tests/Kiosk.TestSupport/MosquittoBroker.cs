using System.Diagnostics;

namespace Kiosk.TestSupport;

/// <summary>
/// A real Mosquitto 2 broker on a loopback port, started for a test fixture.
/// Stop and Start keep the port, so clients can reconnect to "the same" broker after an outage.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private readonly TempFolder _folder = new("mosquitto");
    private Process? _process;

    private MosquittoBroker(int port)
    {
        Port = port;
        var config = $"""
            listener {port} 127.0.0.1
            allow_anonymous true
            persistence false
            max_inflight_messages 0
            max_queued_messages 100000
            message_size_limit 0
            log_dest file {_folder.File("mosquitto.log")}
            log_type error
            log_type warning
            log_type notice
            """;
        File.WriteAllText(ConfigPath, config);
    }

    public int Port { get; }

    public static string Host => "127.0.0.1";

    public string ConfigPath => _folder.File("mosquitto.conf");

    public string LogPath => _folder.File("mosquitto.log");

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<MosquittoBroker> StartAsync()
    {
        var broker = new MosquittoBroker(FreePort.Next());
        await broker.StartAgainAsync().ConfigureAwait(false);
        return broker;
    }

    public async Task StartAgainAsync()
    {
        if (IsRunning)
        {
            return;
        }

        var executable = File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";
        var start = new ProcessStartInfo(executable, ["-c", ConfigPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("mosquitto did not start; install it with 'apt-get install -y mosquitto' (./kiosk.sh test does)");
        await FreePort.WaitForListenerAsync(Port, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    /// <summary>Kills the broker (an outage, not a clean shutdown).</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync().ConfigureAwait(false);
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _folder.Dispose();
    }
}
