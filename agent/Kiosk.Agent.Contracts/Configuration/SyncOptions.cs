using System.ComponentModel.DataAnnotations;

namespace Kiosk.Agent.Configuration;

/// <summary>Configuration section <c>Kiosk:Sync</c>: the broker and how the outbox is drained to it.</summary>
public sealed class SyncOptions
{
    [Required(ErrorMessage = "Kiosk:Sync:BrokerHost is required: set it to the MQTT broker's host name (e.g. 127.0.0.1 for the demo).")]
    public string BrokerHost { get; set; } = "127.0.0.1";

    [Range(1, 65535, ErrorMessage = "Kiosk:Sync:BrokerPort must be a TCP port between 1 and 65535 (1883 plain, 8883 TLS).")]
    public int BrokerPort { get; set; } = 1883;

    /// <summary>Attachment chunk size; the platform accepts 16 KiB to 256 KiB.</summary>
    [Range(16 * 1024, 256 * 1024, ErrorMessage = "Kiosk:Sync:ChunkBytes must be between 16384 and 262144 bytes; 131072 is the default.")]
    public int ChunkBytes { get; set; } = 128 * 1024;

    /// <summary>
    /// Records sent but not yet acknowledged by the platform; bounds duplicates after a reconnect. 1024 keeps a drain
    /// going through the platform's ack round trip (group commit, ack batching): 256 left the kiosk waiting on acks.
    /// </summary>
    [Range(1, 10000, ErrorMessage = "Kiosk:Sync:MaxInFlightRecords must be between 1 and 10000.")]
    public int MaxInFlightRecords { get; set; } = 1024;

    /// <summary>MQTT publishes awaiting PUBACK at once (at most this many chunks, 128 KiB each, buffered for the broker).</summary>
    [Range(1, 1024, ErrorMessage = "Kiosk:Sync:MaxInFlightPublishes must be between 1 and 1024.")]
    public int MaxInFlightPublishes { get; set; } = 64;

    /// <summary>Records without attachments go out in batches of up to this many per message.</summary>
    [Range(1, 1000, ErrorMessage = "Kiosk:Sync:BatchMaxRecords must be between 1 and 1000.")]
    public int BatchMaxRecords { get; set; } = 50;

    [Range(1024, 1024 * 1024, ErrorMessage = "Kiosk:Sync:BatchMaxBytes must be between 1024 and 1048576.")]
    public int BatchMaxBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// A record the platform has not acknowledged after this long is sent again: the shortest wait. The wait follows
    /// how long the platform's acks take (a smoothed ack time plus four times its variation, as TCP times its resends)
    /// and doubles after each timeout until the platform answers, up to <see cref="AckTimeoutMax"/>.
    /// </summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The longest wait for an ack before a record is sent again (see <see cref="AckTimeout"/>). It bounds how late a
    /// record whose ack was lost is sent again: a 1,000-kiosk run with a 10-minute cap left records waiting past its
    /// final drain. Below <see cref="AckTimeout"/>, <see cref="AckTimeout"/> is the wait.
    /// </summary>
    public TimeSpan AckTimeoutMax { get; set; } = TimeSpan.FromMinutes(2);

    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one connect (CONNECT, subscribe, birth) may take before it is abandoned and retried with backoff.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Messages per second while draining (token bucket; 0 = unlimited). The platform paces a drain through its acks (at
    /// most <see cref="MaxInFlightRecords"/> unacknowledged); this cap is the platform's lever for harder limits
    /// (cmd/config). 2000 lets a 10,000-record / 210 MB backlog (about 4,300 messages) go in seconds.
    /// </summary>
    [Range(0, 100000, ErrorMessage = "Kiosk:Sync:MaxMessagesPerSecond must be between 0 (unlimited) and 100000; default 2000.")]
    public int MaxMessagesPerSecond { get; set; } = 2000;

    /// <summary>Records are stamped with the clock offset learned from the platform's acks when it is larger than this.</summary>
    public TimeSpan ClockStampThreshold { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Mutual TLS to the broker (<c>Kiosk:Sync:Tls</c>); required outside the demo profile.</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>The largest MQTT packet the broker may send this kiosk (acks, commands); larger ones are dropped by the broker.</summary>
    [Range(4 * 1024, 64 * 1024 * 1024, ErrorMessage = "Kiosk:Sync:MaxIncomingPacketBytes must be between 4096 and 67108864; 1048576 is the default.")]
    public int MaxIncomingPacketBytes { get; set; } = 1024 * 1024;

    /// <summary>MQTTnet's socket buffer; its 8 KiB default throttles 150 KB payloads to tens per second.</summary>
    [Range(8 * 1024, 16 * 1024 * 1024, ErrorMessage = "Kiosk:Sync:SocketBufferBytes must be between 8192 and 16777216.")]
    public int SocketBufferBytes { get; set; } = 1024 * 1024;
}
