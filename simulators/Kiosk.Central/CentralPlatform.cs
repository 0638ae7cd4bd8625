using System.Text;
using Kiosk.Central.Acknowledging;
using Kiosk.Central.Connection;
using Kiosk.Central.Messages;
using Kiosk.Central.Presence;
using Kiosk.Central.Reassembly;
using Kiosk.Central.Storage;

namespace Kiosk.Central;

/// <summary>
/// The central platform side of docs/mqtt-contract.md: stores records and their attachments once they are complete
/// and verified, acknowledges them after the commit, deduplicates on recordId (across restarts), and tracks presence.
/// Thread-safe: messages are processed one at a time; the properties and queries may be used from any thread.
/// </summary>
public sealed class CentralPlatform : IAsyncDisposable
{
    /// <summary>Bounds the chunks buffered for incomplete records (a few large attachments in flight per kiosk).</summary>
    private const long MaxBufferedBytes = 256L * 1024 * 1024;

    private readonly TimeProvider _time;
    private readonly TextWriter _log;
    private readonly CentralStore _store;
    private readonly ChunkAssembler _assembler;
    private readonly AckBatcher _batcher;
    private readonly AckSender _sender;
    private readonly BrokerConnection _connection;
    private readonly CentralCounters _counters = new();
    private readonly PresenceBoard _presence = new();
    private readonly SemaphoreSlim _processing = new(1, 1);
    private volatile bool _acknowledgementsPaused;

    public CentralPlatform(CentralOptions options, TimeProvider? timeProvider = null, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _log = log is null ? TextWriter.Null : TextWriter.Synchronized(log);
        _store = CentralStore.Open(options.DatabasePath);
        _assembler = new ChunkAssembler(MaxBufferedBytes, _log);
        _connection = new BrokerConnection(options, HandleAsync, _time, _log);
        _sender = new AckSender(_connection.PublishAsync, _ => _counters.AckSent(), _time, _log);
        _batcher = new AckBatcher(_time, options.AckBatchWindow, options.MaxAckBatch, _sender.Enqueue);
    }

    /// <summary>Raised on the message-processing path after each commit (and for each duplicate), before the ack is queued.</summary>
    public event EventHandler<RecordStoredEventArgs>? RecordStored;

    public CentralCounts Counts => _counters.Snapshot();

    /// <summary>Key "siteId/kioskId". A snapshot.</summary>
    public IReadOnlyDictionary<string, KioskPresence> Kiosks => _presence.Snapshot();

    /// <summary>While true, records are still stored but no ack (and no retry request) is queued.</summary>
    public bool AcknowledgementsPaused
    {
        get => _acknowledgementsPaused;
        set => _acknowledgementsPaused = value;
    }

    /// <summary>Connects (retrying until the broker answers) and returns once subscribed.</summary>
    public Task StartAsync(CancellationToken ct) => _connection.StartAsync(ct);

    public Task<IReadOnlyList<StoredRecord>> GetStoredRecordsAsync(CancellationToken ct) => _store.ReadAllAsync(ct);

    public Task<byte[]?> GetAttachmentAsync(string recordId, string attachmentId, CancellationToken ct) =>
        _store.ReadAttachmentAsync(recordId, attachmentId, ct);

    public async ValueTask DisposeAsync()
    {
        // Acks for what is already stored go out first, while the connection is still up.
        _batcher.FlushAll();
        await _sender.DrainAsync(TimeSpan.FromSeconds(2));
        await _connection.DisposeAsync();
        await _sender.DisposeAsync();
        _batcher.Dispose();
        _store.Dispose();
        _processing.Dispose();
    }

    private async Task HandleAsync(ReceivedMessage message)
    {
        await _processing.WaitAsync();
        try
        {
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

    private async Task HandleRecordsAsync(ReceivedMessage message, KioskTopic topic)
    {
        var batch = RecordBatchReader.Read(topic, message.Payload);
        foreach (var problem in batch.Problems)
        {
            Malformed(message.Topic, problem);
        }

        foreach (var record in batch.Records)
        {
            _counters.RecordReceived();
            if (await _store.FindStoredAtAsync(record.RecordId, CancellationToken.None) is { } storedAt)
            {
                _counters.DuplicateDropped();
                _assembler.Forget(record.SiteId, record.KioskId, record.RecordId);
                Announce(record, isDuplicate: true, storedAt);
                continue;
            }

            await ApplyAsync(message.Topic, _assembler.AddRecord(record));
        }
    }

    private async Task HandleChunkAsync(ReceivedMessage message, KioskTopic topic)
    {
        if (!ContractFormats.IsUuid(topic.RecordId!))
        {
            Malformed(message.Topic, "the recordId segment is not a UUID");
            return;
        }

        var header = ChunkHeaderReader.Read(message.UserProperties, message.Payload.Length, out var problem);
        if (header is null)
        {
            Malformed(message.Topic, problem);
            return;
        }

        _counters.ChunkReceived();
        if (await _store.FindStoredAtAsync(topic.RecordId!, CancellationToken.None) is not null)
        {
            // A resend of a chunk of a record already stored: nothing to do, the record's ack already went out.
            return;
        }

        await ApplyAsync(message.Topic, _assembler.AddChunk(topic.SiteId, topic.KioskId, topic.RecordId!, topic.AttachmentId!, header, message.Payload.ToArray()));
    }

    private async Task ApplyAsync(string messageTopic, AssemblyOutcome outcome)
    {
        foreach (var problem in outcome.MalformedProblems)
        {
            Malformed(messageTopic, problem);
        }

        foreach (var failure in outcome.HashFailures)
        {
            _counters.HashFailure();
            _log.WriteLine($"central: {messageTopic}: {failure.Reason} for {failure.RecordId}/{failure.AttachmentId}; asking the kiosk to resend it");
            if (!_acknowledgementsPaused)
            {
                _batcher.RequestRetry(failure);
            }
        }

        if (outcome.Completed is { } completed)
        {
            var storedAt = _time.GetUtcNow();
            var stored = await _store.StoreAsync(completed, storedAt, CancellationToken.None);
            if (stored)
            {
                _counters.RecordStored();
            }
            else
            {
                _counters.DuplicateDropped();
            }

            Announce(completed.Envelope, isDuplicate: !stored, storedAt);
        }
    }

    private void Announce(RecordEnvelope record, bool isDuplicate, DateTimeOffset storedAt)
    {
        try
        {
            RecordStored?.Invoke(this, new RecordStoredEventArgs(record.SiteId, record.KioskId, record.RecordId, record.Kind, record.Seq, isDuplicate, storedAt));
        }
#pragma warning disable CA1031 // A subscriber's bug must not cost the kiosk its ack.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _log.WriteLine($"central: a RecordStored handler threw {ex.GetType().Name}: {ex.Message}");
        }

        if (!_acknowledgementsPaused)
        {
            _batcher.Acknowledge(record.SiteId, record.KioskId, record.RecordId);
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
