using System.Text;
using Kiosk.Central.Acknowledging;
using Kiosk.Central.Connection;
using Kiosk.Central.Messages;
using Kiosk.Central.Presence;
using Kiosk.Central.Reassembly;
using Kiosk.Central.Signing;
using Kiosk.Central.Storage;

namespace Kiosk.Central;

/// <summary>
/// The central platform side of docs/mqtt-contract.md: stores records and their attachments once they are complete
/// and verified, acknowledges them after the commit, deduplicates on recordId (across restarts), and tracks presence.
/// Verified chunks of incomplete attachments are kept in the database too and reported as progress (CentralPlatform.Records.cs).
/// Thread-safe: messages are processed one at a time; the properties and queries may be used from any thread.
/// </summary>
public sealed partial class CentralPlatform : IAsyncDisposable
{
    /// <summary>Bounds the chunks buffered for incomplete records (a few large attachments in flight per kiosk).</summary>
    private const long MaxBufferedBytes = 256L * 1024 * 1024;

    /// <summary>How often a shared-group instance deletes the pending pieces of records already stored.</summary>
    internal static readonly TimeSpan SettledSweepInterval = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time;
    private readonly TextWriter _log;
    private readonly ICentralStore _store;
    private readonly RecordCommitter _committer;
    private readonly ChunkAssembler _assembler;
    private readonly AckBatcher _batcher;
    private readonly AckSender _sender;
    private readonly ProgressThrottle _progress;
    private readonly BrokerConnection _connection;
    private readonly CentralCounters _counters = new();
    private readonly PresenceBoard _presence = new();
    private readonly SemaphoreSlim _processing;
    private readonly CancellationTokenSource _stopping = new();
    private Task _sweeper = Task.CompletedTask;
    private volatile bool _acknowledgementsPaused;

    public CentralPlatform(CentralOptions options, TimeProvider? timeProvider = null, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _log = log is null ? TextWriter.Null : TextWriter.Synchronized(log);
        // The simulator's constructor opens its store; PostgreSQL's driver is asynchronous only, so it is waited for here.
        _store = string.IsNullOrWhiteSpace(options.PostgresConnectionString)
            ? CentralStore.Open(options.DatabasePath)
            : PostgresCentralStore.OpenAsync(options.PostgresConnectionString, CancellationToken.None).GetAwaiter().GetResult();
        _assembler = new ChunkAssembler(MaxBufferedBytes, _log);
        // One instance assembles in memory, one message at a time; a shared-group instance assembles in the shared store,
        // several messages at once (the in-memory assembler is not used then).
        var concurrency = options.SharedSubscriptionGroup is null ? 1 : BrokerConnection.SharedConcurrency;
        _processing = new SemaphoreSlim(concurrency, concurrency);
        _connection = new BrokerConnection(options, HandleAsync, _time, _log);
        Signer = PlatformSigner.FromPemFile(options.EffectiveSigningKeyFile!, _time, options.ClockOffset);
        _sender = new AckSender(_connection.PublishAsync, m => Signer.Sign(m.Topic, m.SiteId, m.KioskId, m.ToJson(), PlatformSigner.AckLifetime), _ => _counters.AckSent(), _time, _log);
        _batcher = new AckBatcher(_time, options.AckBatchWindow, options.MaxAckBatch, _sender.Enqueue);
        _progress = new ProgressThrottle(_time, ReportProgress);
        _committer = new RecordCommitter(_store, _time, _log, OnCommitted);
        CreateProvisioning(options);
    }

    /// <summary>Signs every ack and command this platform sends.</summary>
    public PlatformSigner Signer { get; }

    /// <summary>Raised on the message-processing path after each commit (and for each duplicate), before the ack is queued.</summary>
    public event EventHandler<RecordStoredEventArgs>? RecordStored;

    public CentralCounts Counts => _counters.Snapshot();

    /// <summary>Group commits so far and the records they stored or found stored already (their ratio is the mean group size).</summary>
    public (long Groups, long Records) CommitGroups => _committer.Totals;

    /// <summary>Key "siteId/kioskId". A snapshot.</summary>
    public IReadOnlyDictionary<string, KioskPresence> Kiosks => _presence.Snapshot();

    /// <summary>While true, records are still stored but no ack (and no retry request) is queued.</summary>
    public bool AcknowledgementsPaused
    {
        get => _acknowledgementsPaused;
        set => _acknowledgementsPaused = value;
    }

    /// <summary>Reloads the chunks kept from an earlier run, connects (retrying until the broker answers) and returns once subscribed.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        if (!_store.Shared)
        {
            // Shared stores keep the pending pieces where every instance assembles from them.
            await RestorePendingChunksAsync(ct);
        }

        await _connection.StartAsync(ct);
        if (_store.Shared)
        {
            _sweeper = SweepSettledPendingAsync(_stopping.Token);
        }
    }

    public Task<IReadOnlyList<StoredRecord>> GetStoredRecordsAsync(CancellationToken ct) => _store.ReadAllAsync(ct);

    public Task<byte[]?> GetAttachmentAsync(string recordId, string attachmentId, CancellationToken ct) =>
        _store.ReadAttachmentAsync(recordId, attachmentId, ct);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _sweeper;
        // What is queued is stored, then acks for everything stored go out, while the connection is still up.
        await _committer.DisposeAsync();
        _batcher.FlushAll();
        await _sender.DrainAsync(TimeSpan.FromSeconds(2));
        await _connection.DisposeAsync();
        await _sender.DisposeAsync();
        _progress.Dispose();
        _batcher.Dispose();
        _store.Dispose();
        DisposeProvisioning();
        Signer.Dispose();
        _processing.Dispose();
        _stopping.Dispose();
    }

    private async Task HandleAsync(ReceivedMessage message)
    {
        await _processing.WaitAsync();
        try
        {
            if (Provisioning.ProvisioningTopics.IsProvisioning(message.Topic))
            {
                await HandleProvisioningAsync(message);
                return;
            }

            if (!KioskTopic.TryParse(message.Topic, out var topic, out var problem))
            {
                Malformed(message.Topic, problem);
                return;
            }

            switch (topic!.Channel)
            {
                case TopicChannel.Records:
                    await HandleRecordsAsync(message, topic);
                    break;
                case TopicChannel.Blob:
                    await HandleChunkAsync(message, topic);
                    break;
                case TopicChannel.State:
                    HandleState(message, topic);
                    break;
                case TopicChannel.Telemetry:
                    HandleTelemetry(message, topic);
                    break;
                case TopicChannel.CertificateRequest:
                    await HandleCertificateRequestAsync(message, topic);
                    break;
            }
        }
#pragma warning disable CA1031 // One bad message must not stop the simulator; the kiosk resends what was not acknowledged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _log.WriteLine($"central: {message.Topic}: processing failed ({ex.GetType().Name}: {ex.Message}); not acknowledged");
        }
        finally
        {
            _processing.Release();
        }
    }

    private void HandleState(ReceivedMessage message, KioskTopic topic)
    {
        if (message.Payload.Length == 0)
        {
            // An empty retained message clears the topic; there is no state to record.
            return;
        }

        var state = StateMessage.Read(message.Payload, out var problem);
        if (state is null)
        {
            Malformed(message.Topic, problem);
            return;
        }

        _presence.State(topic.KioskKey, state, Encoding.UTF8.GetString(message.Payload.Span), _time.GetUtcNow());
        if (state.Online)
        {
            if (state.Challenge is { Length: > 0 and <= 128 } challenge)
            {
                // Answer at once: the kiosk learns the platform clock from this even if its own is far off.
                _sender.Enqueue(new AckMessage(topic.SiteId, topic.KioskId, [], [], [], _time.GetUtcNow()) { Challenge = challenge });
            }

            ResendPendingCommands(topic.SiteId, topic.KioskId);
        }
    }

    private void HandleTelemetry(ReceivedMessage message, KioskTopic topic)
    {
        if (!StateMessage.IsJsonObject(message.Payload, out var problem))
        {
            Malformed(message.Topic, problem);
            return;
        }

        _presence.Telemetry(topic.KioskKey, Encoding.UTF8.GetString(message.Payload.Span), _time.GetUtcNow());
    }

    private void Malformed(string topic, string problem)
    {
        _counters.Malformed();
        _log.WriteLine($"central: malformed message on {topic}: {problem}");
    }
}
