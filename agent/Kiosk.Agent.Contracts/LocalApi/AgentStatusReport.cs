namespace Kiosk.Agent.LocalApi;

/// <summary>
/// <c>GET /api/status</c>: who this agent is, how long it has run, the broker link, the backlog, the sync counters
/// and the devices. <see cref="Problems"/> says in words what is degraded (empty when <see cref="Healthy"/>).
/// Nothing in it identifies a person.
/// </summary>
public sealed record AgentStatusReport(
    string SiteId,
    string KioskId,
    string AgentVersion,
    string BootId,
    string Profile,
    DateTimeOffset StartedAt,
    double UptimeS,
    bool Healthy,
    IReadOnlyList<string> Problems,
    BrokerLinkReport Broker,
    OutboxReport Outbox,
    SyncReport Sync,
    long? ClockOffsetMs,
    RosterReport Roster,
    IReadOnlyList<DeviceReport> Devices);

/// <param name="Loaded">False until the platform has sent this kiosk its roster: it then takes no check-ins.</param>
public sealed record RosterReport(bool Loaded);

/// <param name="Connections">Successful connects since start (1 after the first, more after reconnects).</param>
/// <param name="LastError">Why the last connect attempt failed; null once connected.</param>
/// <param name="ClientCertificateNotAfter">When this kiosk's certificate expires (mutual TLS); null without TLS.</param>
public sealed record BrokerLinkReport(bool Connected, string Host, int Port, bool Tls, int Connections, DateTimeOffset? LastConnectedAt, string? LastError, DateTimeOffset? ClientCertificateNotAfter = null);

/// <param name="OldestCreatedAt">When the oldest record still waiting was committed; null when nothing waits.</param>
/// <param name="Quarantined">Records held back for staff (unreadable or altered on disk): kept, not sent.</param>
public sealed record OutboxReport(
    long Records,
    long Bytes,
    long CheckIns,
    long Alerts,
    long Quarantined,
    DateTimeOffset? OldestCreatedAt,
    double? OldestAgeS,
    long BudgetBytes,
    long UsedBytes,
    double UsedPercent,
    bool Warning);

/// <param name="Resent">Records sent again (reconnect, ack timeout, platform request, queue retry).</param>
/// <param name="InFlight">Records sent and waiting for the platform's acknowledgement now.</param>
/// <param name="AckIdsIgnored">Record ids in acks that deleted nothing (not in the outbox, or never sent in full).</param>
/// <param name="AcksDropped">Acks dropped because the ack queue was full.</param>
public sealed record SyncReport(long Published, long Acknowledged, long Resent, int InFlight, long ChunksPublished, long ChunksSkipped, long MalformedAcks, long AckIdsIgnored, long AcksDropped)
{
    /// <summary>Platform messages (acks, commands) refused since start, per reason (unsigned, wrongKey, replayed...); only reasons that happened.</summary>
    public IReadOnlyDictionary<string, long> Refused { get; init; } = new Dictionary<string, long>();

    /// <summary>Platform commands run since start.</summary>
    public long CommandsRun { get; init; }
}

/// <param name="Healthy">Online or busy (a device that is still starting counts as healthy for the first minute).</param>
public sealed record DeviceReport(string Name, string DeviceClass, string Status, bool Healthy, string Model, string? ClaimedBy);

/// <summary><c>GET /api/queue</c>: what waits in the outbox, in drain order (metadata only: no bodies, no attachment bytes).</summary>
/// <param name="Records">How many wait in all; <see cref="Items"/> holds the first <c>limit</c> of them.</param>
/// <param name="Unreadable">Rows the outbox cannot read (quarantined by the sync as it meets them).</param>
public sealed record QueueReport(long Records, long Bytes, IReadOnlyList<QueueItem> Items, IReadOnlyList<UnreadableItem> Unreadable);

/// <summary>A row of the outbox that cannot be read: its seq, its record id as stored, and why.</summary>
public sealed record UnreadableItem(long Seq, string RecordId, string Problem);

/// <param name="InFlight">Sent, and waiting now for the platform's acknowledgement.</param>
/// <param name="Quarantine">Why it is held back for staff; null when it drains as usual.</param>
public sealed record QueueItem(
    long Seq,
    string RecordId,
    string Kind,
    int Priority,
    DateTimeOffset CreatedAt,
    long Bytes,
    int Attempts,
    DateTimeOffset? LastSentAt,
    bool InFlight,
    string? Quarantine,
    IReadOnlyList<QueueAttachment> Attachments);

/// <param name="AckedChunks">Leading chunks the platform already holds.</param>
public sealed record QueueAttachment(string AttachmentId, string ContentType, long Length, bool Biometric, bool Sealed, int AckedChunks);

/// <summary><c>POST /api/queue/retry</c>: how many records were released to be sent again now.</summary>
/// <param name="Connected">When false they go out as soon as the broker link is back.</param>
public sealed record RetryReport(int Requeued, bool Connected);
