using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Kiosk.Agent.Hosting;
using Kiosk.Agent.Outbox;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace Kiosk.Agent.Sync;

/// <summary>
/// Drains the outbox to the broker in priority-then-seq order, and deletes a record only when the
/// platform's <c>ack</c> names it. At most <see cref="SyncOptions.MaxInFlightRecords"/> records are
/// unacknowledged at once, which bounds the duplicates a reconnect can cause; after a reconnect or an
/// ack timeout every unacknowledged record is sent again (at-least-once; the platform deduplicates).
/// </summary>
internal sealed partial class OutboxPublisher : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);
    private readonly OutboxStore _outbox;
    private readonly MqttConnection _connection;
    private readonly SyncOptions _options;
    private readonly Topics _topics;
    private readonly OutboxSignal _signal;
    private readonly SyncStatus _status;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<OutboxPublisher> _logger;
    private readonly ConcurrentDictionary<long, InFlight> _inFlight = new();
    private readonly ConcurrentDictionary<string, long> _seqByRecordId = new();
    private readonly ConcurrentDictionary<long, byte> _sentBefore = new();
    private readonly System.Threading.Channels.Channel<AckMessage> _acks = System.Threading.Channels.Channel.CreateUnbounded<AckMessage>();
    private readonly SemaphoreSlim _publishSlots;

    public OutboxPublisher(OutboxStore outbox, MqttConnection connection, IOptions<SyncOptions> options, AgentIdentity identity, OutboxSignal signal, SyncStatus status, TimeProvider timeProvider, ILogger<OutboxPublisher> logger)
    {
        _outbox = outbox;
        _connection = connection;
        _options = options.Value;
        _topics = identity.Topics;
        _signal = signal;
        _status = status;
        _timeProvider = timeProvider;
        _logger = logger;
        _publishSlots = new SemaphoreSlim(_options.MaxInFlightPublishes, _options.MaxInFlightPublishes);
        _connection.MessageReceived += OnMessageAsync;
        _connection.Connected += OnConnectedAsync;
    }

    private sealed record InFlight(string RecordId, long SentAt);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(PublishLoopAsync(stoppingToken), AckLoopAsync(stoppingToken));

    private Task OnConnectedAsync(int epoch)
    {
        // Whatever was in flight on the old connection may never be acknowledged: send it again.
        _inFlight.Clear();
        _signal.Set();
        return Task.CompletedTask;
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        if (e.ApplicationMessage.Topic != _topics.Ack)
        {
            return Task.CompletedTask;
        }

        var ack = AckMessage.TryParse(e.ApplicationMessage.Payload, out var error);
        if (ack is null)
        {
            _status.MalformedAck();
            LogMalformedAck(_logger, _topics.Ack, error ?? "unknown");
            return Task.CompletedTask;
        }

        // Hand off: the database work must not hold up MQTTnet's receive loop (it also carries our PUBACKs).
        _acks.Writer.TryWrite(ack);
        return Task.CompletedTask;
    }

    private async Task AckLoopAsync(CancellationToken stoppingToken)
    {
        await foreach (var ack in _acks.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            var now = _timeProvider.GetUtcNow();
            if (ack.PlatformTime is { } platformTime)
            {
                _status.SetClockOffset(platformTime - now);
            }

            var deleted = await _outbox.AcknowledgeAsync(ack.RecordIds, stoppingToken).ConfigureAwait(false);
            foreach (var (seq, recordId) in deleted)
            {
                _inFlight.TryRemove(seq, out _);
                _seqByRecordId.TryRemove(recordId, out _);
                _sentBefore.TryRemove(seq, out _);
                _status.Acknowledged(recordId, seq, now);
            }

            foreach (var (recordId, attachmentId) in ack.Retry)
            {
                LogRetryRequested(_logger, recordId, attachmentId);
                if (_seqByRecordId.TryGetValue(recordId, out var seq))
                {
                    _inFlight.TryRemove(seq, out _);
                }
            }

            _signal.Set();
        }
    }

    private async Task PublishLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _connection.WaitConnectedAsync(stoppingToken).ConfigureAwait(false);
                ExpireUnacknowledged();
                var capacity = _options.MaxInFlightRecords - _inFlight.Count;
                var batch = capacity <= 0
                    ? []
                    : await _outbox.ReadPendingAsync(Math.Min(capacity, 500), _inFlight.Keys.ToHashSet(), stoppingToken).ConfigureAwait(false);
                if (batch.Count == 0)
                {
                    await _signal.WaitAsync(IdlePoll, _timeProvider, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                await PublishBatchAsync(batch, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttClientNotConnectedException or OperationCanceledException or InvalidOperationException)
            {
                // The connection dropped mid-batch. Nothing is lost: the rows are still in the outbox and
                // go out again once the supervisor has reconnected.
                LogPublishInterrupted(_logger, ex.Message);
                await _signal.WaitAsync(IdlePoll, _timeProvider, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private void ExpireUnacknowledged()
    {
        var now = _timeProvider.GetTimestamp();
        foreach (var (seq, inFlight) in _inFlight)
        {
            if (_timeProvider.GetElapsedTime(inFlight.SentAt, now) > _options.AckTimeout)
            {
                _inFlight.TryRemove(seq, out _);
                LogAckTimeout(_logger, inFlight.RecordId, _options.AckTimeout.TotalSeconds);
            }
        }
    }

    private async Task PublishBatchAsync(IReadOnlyList<StoredRecord> batch, CancellationToken cancellationToken)
    {
        var publishes = new List<Task>();
        var group = new List<StoredRecord>();
        var groupBytes = 0L;

        async Task FlushGroupAsync()
        {
            if (group.Count > 0)
            {
                publishes.Add(await StartPublishAsync(RecordsMessage(group), cancellationToken).ConfigureAwait(false));
                group.Clear();
                groupBytes = 0;
            }
        }

        foreach (var record in batch)
        {
            Track(record);
            if (record.Attachments.Count == 0)
            {
                if (group.Count > 0 && (group[0].Kind != record.Kind || group.Count >= _options.BatchMaxRecords || groupBytes + record.Bytes > _options.BatchMaxBytes))
                {
                    await FlushGroupAsync().ConfigureAwait(false);
                }

                group.Add(record);
                groupBytes += record.Bytes;
                continue;
            }

            await FlushGroupAsync().ConfigureAwait(false);
            publishes.Add(await StartPublishAsync(RecordsMessage([record]), cancellationToken).ConfigureAwait(false));
            foreach (var attachment in record.Attachments)
            {
                await PublishChunksAsync(record, attachment, publishes, cancellationToken).ConfigureAwait(false);
            }
        }

        await FlushGroupAsync().ConfigureAwait(false);
        await Task.WhenAll(publishes).ConfigureAwait(false);
        await _outbox.MarkSentAsync(batch.Select(r => r.Seq).ToList(), cancellationToken).ConfigureAwait(false);
        var resent = batch.Count(r => !_sentBefore.TryAdd(r.Seq, 0));
        _status.Published(batch.Count - resent, resend: false);
        _status.Published(resent, resend: true);
    }

    private void Track(StoredRecord record)
    {
        _seqByRecordId[record.RecordId] = record.Seq;
        _inFlight[record.Seq] = new InFlight(record.RecordId, _timeProvider.GetTimestamp());
    }

    private MqttApplicationMessage RecordsMessage(IReadOnlyList<StoredRecord> records) =>
        new MqttApplicationMessageBuilder()
            .WithTopic(_topics.Records(records[0].Kind.WireName()))
            .WithPayload(RecordMessage.Serialize(records, _options.ChunkBytes))
            .WithContentType("application/json")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();

    private async Task PublishChunksAsync(StoredRecord record, StoredAttachment attachment, List<Task> publishes, CancellationToken cancellationToken)
    {
        var count = RecordMessage.ChunkCount(attachment.Length, _options.ChunkBytes);
        var topic = _topics.Blob(record.RecordId, attachment.AttachmentId);
        for (var index = 0; index < count; index++)
        {
            var offset = (long)index * _options.ChunkBytes;
            var chunk = await _outbox.ReadAttachmentChunkAsync(attachment, offset, _options.ChunkBytes, cancellationToken).ConfigureAwait(false);
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(chunk)
                .WithContentType(attachment.ContentType)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithUserProperty("index", Utf8(index.ToString(CultureInfo.InvariantCulture)))
                .WithUserProperty("count", Utf8(count.ToString(CultureInfo.InvariantCulture)))
                .WithUserProperty("offset", Utf8(offset.ToString(CultureInfo.InvariantCulture)))
                .WithUserProperty("length", Utf8(attachment.Length.ToString(CultureInfo.InvariantCulture)))
                .WithUserProperty("sha256", Utf8(attachment.Sha256))
                .WithUserProperty("chunkSha256", Utf8(Convert.ToHexStringLower(SHA256.HashData(chunk))))
                .Build();
            publishes.Add(await StartPublishAsync(message, cancellationToken).ConfigureAwait(false));
            _status.ChunkPublished();
        }
    }

    private static ReadOnlyMemory<byte> Utf8(string value) => System.Text.Encoding.UTF8.GetBytes(value);

    /// <summary>Starts a QoS 1 publish once a slot is free; the returned task completes at PUBACK.</summary>
    private async Task<Task> StartPublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        await _publishSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        return PublishAndReleaseAsync(message, cancellationToken);
    }

    private async Task PublishAndReleaseAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _connection.Client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"broker refused {message.Topic}: {result.ReasonCode} {result.ReasonString}");
            }
        }
        finally
        {
            _publishSlots.Release();
        }
    }

    public override void Dispose()
    {
        _publishSlots.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Ignored a malformed message on {Topic}: {Problem}")]
    private static partial void LogMalformedAck(ILogger logger, string topic, string problem);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Publishing interrupted ({Reason}); the records stay in the outbox and go out after reconnect")]
    private static partial void LogPublishInterrupted(ILogger logger, string reason);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "No platform ack for record {RecordId} within {Seconds} s; sending it again")]
    private static partial void LogAckTimeout(ILogger logger, string recordId, double seconds);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "Platform asked for attachment {AttachmentId} of record {RecordId} again")]
    private static partial void LogRetryRequested(ILogger logger, string recordId, string attachmentId);
}
