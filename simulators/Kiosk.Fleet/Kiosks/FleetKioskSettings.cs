using Kiosk.Agent.Configuration;
using Kiosk.Agent.Devices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kiosk.Fleet.Kiosks;

/// <summary>What every kiosk of one run shares: sync settings, the platform key it trusts, the check-in shape, logging.</summary>
internal sealed class FleetKioskSettings(
    IOptions<SyncOptions> sync,
    string platformPublicKeyFile,
    int attachmentBytes,
    DeviceSet devices,
    ILoggerFactory loggers,
    TimeProvider time)
{
    public IOptions<SyncOptions> Sync { get; } = sync;

    /// <summary>The platform's command-signing public key, as enrollment would have stored it: acks must verify.</summary>
    public string PlatformPublicKeyFile { get; } = platformPublicKeyFile;

    public int AttachmentBytes { get; } = attachmentBytes;

    /// <summary>No device is fitted: the birth message lists none (one empty set serves every kiosk).</summary>
    public DeviceSet Devices { get; } = devices;

    public ILoggerFactory Loggers { get; } = loggers;

    public TimeProvider Time { get; } = time;

    /// <summary>The fleet's sync options: the agent's defaults with the broker and the fleet values (FleetOptions).</summary>
    public static SyncOptions SyncFor(FleetOptions options, int brokerPort) => new()
    {
        BrokerHost = "127.0.0.1",
        BrokerPort = brokerPort,
        AckTimeout = options.AckTimeout,
        ReconnectBaseDelay = options.ReconnectBaseDelay,
        ReconnectMaxDelay = options.ReconnectMaxDelay,
        SocketBufferBytes = options.SocketBufferBytes,
    };
}
