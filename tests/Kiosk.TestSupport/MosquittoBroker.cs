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

    private MosquittoBroker(int port, (string CaFile, string CertFile, string KeyFile)? tls = null, string? tlsAclFile = null)
    {
        Port = port;
        TlsPort = tls is null ? 0 : FreePort.Next();
        ProvisioningPort = tls is null ? 0 : FreePort.Next();
        string config;
        if (tls is not { } t)
        {
            config = $"""
                listener {port} 127.0.0.1
                allow_anonymous true
                {GlobalSettings}
                """;
        }
        else
        {
            // Each listener has its own security settings (per_listener_settings): the plain listener (central
            // simulator, observers) and the mutual-TLS listener (kiosks with a certificate from the CA) allow
            // everything, as before; the provisioning listener is TLS without a client certificate (a kiosk that
            // is not enrolled yet has none), and its ACL lets anonymous clients only ask for a certificate or the
            // platform time and read the answers (docs/mqtt-contract.md, "Provisioning").
            File.WriteAllText(ProvisioningAclPath, """
                topic write kiosk/v1/provisioning/+/+/enroll
                topic write kiosk/v1/provisioning/time
                topic read kiosk/v1/provisioning/+/+/reply/#
                topic read kiosk/v1/provisioning/time/reply/#

                """);
            config = $"""
                per_listener_settings true
                {GlobalSettings}
                listener {port} 127.0.0.1
                allow_anonymous true
                listener {TlsPort} 127.0.0.1
                cafile {t.CaFile}
                certfile {t.CertFile}
                keyfile {t.KeyFile}
                require_certificate true
                allow_anonymous true
                {(tlsAclFile is null ? "" : $"use_identity_as_username true\nacl_file {tlsAclFile}")}
                listener {ProvisioningPort} 127.0.0.1
                cafile {t.CaFile}
                certfile {t.CertFile}
                keyfile {t.KeyFile}
                require_certificate false
                allow_anonymous true
                acl_file {ProvisioningAclPath}
                """;
        }

        File.WriteAllText(ConfigPath, config + "\n");
    }

    private string GlobalSettings => $"""
        persistence false
        max_inflight_messages 0
        max_queued_messages 100000
        message_size_limit 0
        log_dest file {_folder.File("mosquitto.log")}
        log_type error
        log_type warning
        log_type notice
        """;

    private string ProvisioningAclPath => _folder.File("provisioning.acl");

    public int Port { get; }

    /// <summary>The mutual-TLS listener's port; 0 when the broker has none.</summary>
    public int TlsPort { get; }

    /// <summary>
    /// The provisioning listener's port (TLS with the same server certificate, no client certificate, an ACL that
    /// allows only the provisioning requests and their replies); 0 when the broker has no TLS.
    /// </summary>
    public int ProvisioningPort { get; }

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

    /// <summary>
    /// A broker with a plain listener, a mutual-TLS listener (server certificate and the CA that clients must chain to)
    /// and a provisioning listener (<see cref="ProvisioningPort"/>).
    /// </summary>
    /// <param name="tlsAclFile">
    /// An ACL for the mutual-TLS listener, which then takes each client's user name from its certificate's common name
    /// (docs/mqtt-contract.md, "Broker access control"); null lets every client with a certificate do everything.
    /// </param>
    public static async Task<MosquittoBroker> StartWithTlsAsync(string caFile, string certFile, string keyFile, string? tlsAclFile = null)
    {
        var broker = new MosquittoBroker(FreePort.Next(), (caFile, certFile, keyFile), tlsAclFile);
        await broker.StartAgainAsync().ConfigureAwait(false);
        await FreePort.WaitForListenerAsync(broker.TlsPort, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        await FreePort.WaitForListenerAsync(broker.ProvisioningPort, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
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
