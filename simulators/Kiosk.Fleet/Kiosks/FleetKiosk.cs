using System.Text.Json.Nodes;
using Kiosk.Agent.Control;
using Kiosk.Agent.Hosting;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Outbox.Encryption;
using Kiosk.Agent.Sync;
using Kiosk.Fleet.Measuring;
using Microsoft.Extensions.Logging;

namespace Kiosk.Fleet.Kiosks;

/// <summary>
/// One simulated kiosk: the agent's own sync stack composed as KioskAgentBuilderExtensions composes it (its outbox sealed
/// with its own key, its control store for the platform's nonces, the platform key ring and verifier, the MQTT connection,
/// the outbox publisher with its ack processor and in-flight window, the sync status), started as the host starts them,
/// without a host. A commit loop stands in for the visitors; <see cref="Pending"/> follows each record from
/// <c>CommitAsync</c> returning to the ack that deletes it (the agent's own view, for timing only; the final count reads
/// the outbox file itself).
/// Thread safety: the commit loop and the sync's ack loop update it concurrently; the queries may be called from any thread.
/// </summary>
internal sealed class FleetKiosk : IAsyncDisposable
{
    private readonly OutboxStore _outbox;
    private readonly ControlStore _control;
    private readonly PlatformKeyRing _keys;
    private readonly BrokerSecurity _security;
    private readonly MqttConnection _connection;
    private readonly OutboxPublisher _publisher;
    private readonly FleetKioskSettings _settings;
    private readonly LatencyLog _latencies;
    private readonly PendingRecords _pending;
    private long _committed;
    private long _commitFailures;

    private FleetKiosk(AgentIdentity identity, string folder, OutboxStore outbox, ControlStore control, PlatformKeyRing keys, FleetKioskSettings settings, LatencyLog latencies)
    {
        Identity = identity;
        Folder = folder;
        _outbox = outbox;
        _control = control;
        _keys = keys;
        _settings = settings;
        _latencies = latencies;
        _pending = new PendingRecords(settings.Time);
        Status = new SyncStatus();
        var time = settings.Time;
        var status = Status;
        var verifier = new PlatformMessageVerifier(keys, identity.SiteId, identity.KioskId, time, () => status.ClockOffset);
        var challenge = new ClockChallenge();
        var birth = new BirthMessage(identity, settings.Devices, settings.Sync, challenge, time);
        _security = new BrokerSecurity(null);
        _connection = new MqttConnection(settings.Sync, identity, birth, _security, time, settings.Loggers.CreateLogger<MqttConnection>());
        var alerts = new Alerts(outbox, identity, settings.Loggers.CreateLogger<Alerts>());
        _publisher = new OutboxPublisher(outbox, _connection, settings.Sync, identity, alerts, Status, verifier, control, challenge, time, settings.Loggers.CreateLogger<OutboxPublisher>());
        Status.RecordAcknowledged += (_, e) => _pending.Acknowledged(e.RecordId, _latencies);
    }

    public AgentIdentity Identity { get; }

    public string Folder { get; }

    public string OutboxPath => Path.Combine(Folder, "outbox.db");

    public SyncStatus Status { get; }

    public bool IsConnected => _connection.IsConnected;

    /// <summary>Check-ins this kiosk committed (the commit loop's count; the report counts from the outbox file).</summary>
    public long Committed => Interlocked.Read(ref _committed);

    public long CommitFailures => Interlocked.Read(ref _commitFailures);

    /// <summary>Records committed and not yet acknowledged, as the agent sees them.</summary>
    public PendingRecords Pending => _pending;

    /// <summary>
    /// Creates the kiosk's folder, key and stores, and composes its sync stack (nothing connects yet).
    /// Site ids group 50 kiosks each, as an office district would; ids satisfy the contract's identifier pattern.
    /// </summary>
    public static FleetKiosk Create(int index, string runFolder, FleetKioskSettings settings, LatencyLog latencies)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var siteId = $"site-{(index / 50) + 1:000}";
        var kioskId = $"kiosk-{index + 1:0000}";
        var folder = Path.Combine(runFolder, "kiosks", kioskId);
        Directory.CreateDirectory(folder);
        var identity = new AgentIdentity(siteId, kioskId, Guid.CreateVersion7().ToString("D"));
        var key = OutboxKey.LoadOrCreate(Path.Combine(folder, "outbox.key"));
        OutboxStore? outbox = null;
        ControlStore? control = null;
        try
        {
            outbox = OutboxStore.Open(Path.Combine(folder, "outbox.db"), settings.Time, identity.BootId, OutboxBudget.Default, key);
            control = ControlStore.Open(Path.Combine(folder, KioskAgentBuilderExtensions.ControlFile), key, settings.Time);
            var keys = new PlatformKeyRing(control, settings.PlatformPublicKeyFile);
            if (keys.Problem is { } problem)
            {
                keys.Dispose();
                throw new InvalidOperationException(problem);
            }

            return new FleetKiosk(identity, folder, outbox, control, keys, settings, latencies);
        }
        catch
        {
            control?.Dispose();
            outbox?.Dispose();
            throw;
        }
    }

    /// <summary>Starts the connection supervisor and the publisher, in the order the agent's host starts them.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await _connection.StartAsync(ct).ConfigureAwait(false);
        await _publisher.StartAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Commits a check-in every <paramref name="interval"/>, the first after <paramref name="firstDelay"/>, until
    /// <paramref name="ct"/> is cancelled. The schedule is absolute, so a slow commit does not stretch it; a kiosk more
    /// than an interval behind skips ahead (counted by <see cref="LatencyLog.Late"/>).
    /// </summary>
    public async Task CommitLoopAsync(TimeSpan firstDelay, TimeSpan interval, Func<string> phase, Random random, AttachmentPool attachments, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(phase);
        ArgumentNullException.ThrowIfNull(attachments);
        var time = _settings.Time;
        var start = time.GetTimestamp();
        var due = firstDelay;
        var number = 0;
        while (!ct.IsCancellationRequested)
        {
            var wait = due - time.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            else if (-wait > interval)
            {
                _latencies.Late();
                due = time.GetElapsedTime(start);
            }

            due += interval;
            await CommitOneAsync(++number, phase(), random, attachments, ct).ConfigureAwait(false);
        }
    }

    private async Task CommitOneAsync(int number, string phase, Random random, AttachmentPool attachments, CancellationToken ct)
    {
        var body = new JsonObject { ["fleet"] = true, ["number"] = number, ["visitor"] = "simulated" };
        var record = new NewRecord(RecordKind.CheckIn, body);
        if (_settings.AttachmentBytes > 0)
        {
            // Random bytes, unique to this check-in: neither the broker nor any layer can compress them away.
            var bytes = attachments.Take(_settings.AttachmentBytes, random, Identity.KioskId, number);

            record = record with { Attachments = [new NewAttachment("photo", "image/jpeg", bytes.Length, () => new MemoryStream(bytes, writable: false), Biometric: true)] };
        }

        try
        {
            var receipt = await _outbox.CommitAsync(record, ct).ConfigureAwait(false);
            Interlocked.Increment(ref _committed);
            _pending.Committed(receipt.RecordId, phase, _latencies);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The run is over; a commit that did not finish left nothing behind (one transaction).
        }
        catch (Exception ex) when (ex is OutboxFullException or Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            Interlocked.Increment(ref _commitFailures);
            _latencies.CommitFailed(ex.GetType().Name);
        }
    }

    /// <summary>Stops as the host stops the agent: the publisher first, then the connection (death message, disconnect).</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        await _publisher.StopAsync(ct).ConfigureAwait(false);
        await _connection.StopAsync(ct).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        _publisher.Dispose();
        _connection.Dispose();
        _security.Dispose();
        _keys.Dispose();
        _control.Dispose();
        _outbox.Dispose();
        return ValueTask.CompletedTask;
    }
}
