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

    private MosquittoBroker(int port, (string CaFile, string CertFile, string KeyFile)? tls = null)
    {
        Port = port;
        TlsPort = tls is null ? 0 : FreePort.Next();

        // The TLS listener, when there is one, demands a client certificate from the CA (mutual TLS); the
        // plain listener stays for the central simulator and observers.
        var tlsListener = tls is not { } t ? "" : $"""
            listener {TlsPort} 127.0.0.1
            cafile {t.CaFile}
            certfile {t.CertFile}
            keyfile {t.KeyFile}
            require_certificate true
            """;
        var config = $"""
            listener {port} 127.0.0.1
            {tlsListener}
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

    /// <summary>The mutual-TLS listener's port; 0 when the broker has none.</summary>
    public int TlsPort { get; }

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

    /// <summary>A broker with a plain listener and a mutual-TLS listener (server certificate and the CA that clients must chain to).</summary>
    public static async Task<MosquittoBroker> StartWithTlsAsync(string caFile, string certFile, string keyFile)
    {
        var broker = new MosquittoBroker(FreePort.Next(), (caFile, certFile, keyFile));
        await broker.StartAgainAsync().ConfigureAwait(false);
        await FreePort.WaitForListenerAsync(broker.TlsPort, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
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
