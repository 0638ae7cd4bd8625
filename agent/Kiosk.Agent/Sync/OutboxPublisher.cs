using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Control;
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
/// ack timeout every unacknowledged record is sent again (at-least-once; the platform deduplicates). A record it cannot
/// send (unreadable, or altered on disk) is quarantined with an alert, and the rest of the backlog goes on.
/// </summary>
internal sealed partial class OutboxPublisher : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest the loop sleeps with nothing to send when no timeout is due sooner: every commit, ack and reconnect
    /// wakes it at once, so this only bounds how late it notices anything else. A fleet of idle kiosks then reads its
    /// outbox every few seconds rather than every second.
    /// </summary>
    private static readonly TimeSpan IdleWaitMax = TimeSpan.FromSeconds(5);
    private readonly OutboxStore _outbox;
    private readonly MqttConnection _connection;
    private readonly SyncOptions _options;
    private readonly Topics _topics;
    private readonly Alerts _alerts;
    private readonly SyncStatus _status;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<OutboxPublisher> _logger;
    private readonly InFlightWindow _inFlight;
    private readonly AckProcessor _acks;
    private readonly SemaphoreSlim _publishSlots;
    private readonly DrainRateLimit _rateLimit;

    // The publish loop's sends not yet ended (only that loop touches it).
    private readonly List<Task> _sending = [];

    public OutboxPublisher(OutboxStore outbox, MqttConnection connection, IOptions<SyncOptions> options, AgentIdentity identity, Alerts alerts, SyncStatus status, PlatformMessageVerifier verifier, ControlStore control, ClockChallenge challenge, TimeProvider timeProvider, ILogger<OutboxPublisher> logger)
    {
        _outbox = outbox;
        _connection = connection;
        _options = options.Value;
        _topics = identity.Topics;
        _alerts = alerts;
        _status = status;
        _timeProvider = timeProvider;
        _logger = logger;
        _inFlight = new InFlightWindow(timeProvider, _options.AckTimeout, _options.AckTimeoutMax);
        _publishSlots = new SemaphoreSlim(_options.MaxInFlightPublishes, _options.MaxInFlightPublishes);
        _rateLimit = new DrainRateLimit(_options.MaxMessagesPerSecond, timeProvider);
        _acks = new AckProcessor(outbox, _inFlight, status, _topics, _options, verifier, control, challenge, timeProvider, logger);
        _connection.MessageReceived += _acks.OnMessageAsync;
        _connection.Connected += OnConnectedAsync;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(PublishLoopAsync(stoppingToken), _acks.RunAsync(stoppingToken));

    private Task OnConnectedAsync(int epoch)
    {
        // Whatever was in flight on the old connection may never be acknowledged: send it again.
        _inFlight.Clear();
        _status.LinkUp(_timeProvider.GetUtcNow());
        _outbox.Signal.Set();
        return Task.CompletedTask;
    }

    /// <summary>Records the broker has accepted in full (message and every chunk) and the platform has not acknowledged yet.</summary>
    internal IReadOnlySet<long> AwaitingAckSeqs => _inFlight.AwaitingAck;

    /// <summary>
    /// Sends again, now, every record sent but not yet acknowledged, instead of waiting for <see cref="SyncOptions.AckTimeout"/>
    /// (<c>kioskctl queue retry</c>), and wakes the drain. Returns how many records were released for sending.
    /// </summary>
    internal int RetryUnacknowledged()
    {
        var released = _inFlight.Count;
        _inFlight.Clear();
        _outbox.Signal.Set();
        return released;
    }

    private async Task PublishLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _connection.WaitConnectedAsync(stoppingToken).ConfigureAwait(false);
                ThrowIfASendFailed();
                ExpireUnacknowledged();
                var capacity = _options.MaxInFlightRecords - _inFlight.Count;
                var (batch, unreadable) = capacity <= 0
                    ? ([], [])
                    : await _outbox.ReadPendingAsync(Math.Min(capacity, 500), _inFlight.Seqs, stoppingToken).ConfigureAwait(false);
                foreach (var row in unreadable)
                {
                    await QuarantineAsync(row.Seq, row.RecordId, "recordUnreadable", row.Problem, stoppingToken).ConfigureAwait(false);
                }

                if (batch.Count == 0)
                {
                    await _outbox.Signal.WaitAsync(IdleWait(), _timeProvider, stoppingToken).ConfigureAwait(false);
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
                await _outbox.Signal.WaitAsync(IdlePoll, _timeProvider, stoppingToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A sync loop that dies stops delivery for good: log loudly, back off, go on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogLoopFailure(_logger, "publish", ex);
                await _outbox.Signal.WaitAsync(IdlePoll, _timeProvider, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Until the oldest record in flight is due to be sent again, within 50 ms..<see cref="IdleWaitMax"/>.</summary>
    private TimeSpan IdleWait() => _inFlight.UntilNextExpiry() is { } due
        ? TimeSpan.FromMilliseconds(Math.Clamp(due.TotalMilliseconds, 50, IdleWaitMax.TotalMilliseconds))
        : IdleWaitMax;

    private void ExpireUnacknowledged()
    {
        var waited = _inFlight.AckTimeout;
        var timedOut = _inFlight.Expire(_connection.Epoch);
        if (timedOut.Count > 0)
        {
            LogAckTimeout(_logger, timedOut.Count, waited.TotalSeconds, _inFlight.AckTimeout.TotalSeconds);
        }
    }

    /// <summary>
    /// Starts the publishes of <paramref name="batch"/> and returns once they are all started, not when the broker has
    /// accepted them: the next batch is read and started while this one's PUBACKs are still coming back, so the publish
    /// window never drains empty between batches. Each unit's send is kept in <see cref="_sending"/> until it ends; a
    /// failed one is rethrown on the loop's next pass (<see cref="ThrowIfASendFailed"/>).
    /// </summary>
    private async Task PublishBatchAsync(IReadOnlyList<OutboxRecord> batch, CancellationToken cancellationToken)
    {
        // A batch belongs to the connection it started on. The connect handler releases everything in flight for sending
        // again, so a batch that went on over the next connection would send its records twice.
        var epoch = _connection.Epoch;
        var sends = new List<Task>();
        try
        {
            await StartBatchAsync(batch, epoch, sends, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Sends already started fail with the connection; observe them so none goes unobserved.
            _ = Task.WhenAll(sends).ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }

        _sending.AddRange(sends);
    }

    /// <summary>Forgets the sends that ended well and rethrows the first that failed (a dropped connection, a refused publish).</summary>
    private void ThrowIfASendFailed()
    {
        var failed = _sending.FirstOrDefault(t => t.IsFaulted || t.IsCanceled);
        if (failed is not null)
        {
            // The rest fail the same way or end on their own; observe them so none goes unobserved.
            var rest = _sending.Where(t => !ReferenceEquals(t, failed)).ToList();
            _ = Task.WhenAll(rest).ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            _sending.Clear();
            failed.GetAwaiter().GetResult();
        }

        _sending.RemoveAll(t => t.IsCompletedSuccessfully);
    }

    /// <summary>
    /// Counts the attempt of <paramref name="records"/> once the broker has accepted every one of
    /// <paramref name="publishes"/> (their message and all their chunks), each unit on its own rather than at the end of
    /// the batch: the platform may confirm a record while the rest of the batch is still going out, and an ack deletes
    /// only a record counted as sent (OutboxStore.AcknowledgeAsync). Then tells the ack loop, which holds such an early
    /// ack until this is done (AckProcessor).
    /// </summary>
    private async Task MarkSentWhenAcceptedAsync(IReadOnlyList<(long Seq, TaskCompletionSource<bool> Accepted)> records, List<Task> publishes, CancellationToken cancellationToken)
    {
        var accepted = false;
        try
        {
            await Task.WhenAll(publishes).ConfigureAwait(false);
            await _outbox.MarkSentAsync([.. records.Select(r => r.Seq)], cancellationToken).ConfigureAwait(false);
            accepted = true;
        }
        finally
        {
            foreach (var record in records)
            {
                record.Accepted.TrySetResult(accepted);
            }
        }
    }

    /// <summary>
    /// Starts the publishes of one batch: records without attachments grouped by kind into messages of up
    /// to <see cref="SyncOptions.BatchMaxRecords"/>; a record with attachments alone, followed by its chunks. Each such
    /// unit adds to <paramref name="sends"/> one task that completes once the broker accepted all of it and it is counted.
    /// </summary>
    private async Task StartBatchAsync(IReadOnlyList<OutboxRecord> batch, int epoch, List<Task> sends, CancellationToken cancellationToken)
    {
        var group = new List<(OutgoingRecord Record, TaskCompletionSource<bool> Accepted)>();
        var groupBytes = 0L;
        foreach (var stored in batch)
        {
            if (OutgoingRecord.Open(_outbox, stored, out var problem) is not { } record)
            {
                await QuarantineAsync(stored.Seq, stored.RecordId, "recordTampered", problem!, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var accepted = Track(stored, epoch);
            var startsNewGroup = group.Count > 0
                && (stored.Attachments.Count > 0 || group[0].Record.Record.Kind != stored.Kind || group.Count >= _options.BatchMaxRecords || groupBytes + stored.Bytes > _options.BatchMaxBytes);
            if (startsNewGroup)
            {
                await StartGroupAsync(group, epoch, sends, cancellationToken).ConfigureAwait(false);
                group.Clear();
                groupBytes = 0;
            }

            if (stored.Attachments.Count == 0)
            {
                group.Add((record, accepted));
                groupBytes += stored.Bytes;
                continue;
            }

            var publishes = new List<Task>();
            try
            {
                publishes.Add(await StartPublishAsync(RecordsMessage([record]), epoch, cancellationToken).ConfigureAwait(false));
                foreach (var attachment in stored.Attachments)
                {
                    await PublishChunksAsync(stored, attachment, epoch, publishes, cancellationToken).ConfigureAwait(false);
                }

                sends.Add(MarkSentWhenAcceptedAsync([(stored.Seq, accepted)], publishes, cancellationToken));
            }
            catch (System.Security.Cryptography.CryptographicException ex)
            {
                // A sealed attachment that fails its tag was altered on disk (or the key was replaced): never send it,
                // keep it as evidence, tell staff, and let the rest of the backlog go on. The publishes already started
                // still end with the batch; an ack waiting on this record goes on without it.
                accepted.TrySetResult(false);
                sends.Add(Task.WhenAll(publishes));
                await QuarantineAsync(stored.Seq, stored.RecordId, "attachmentTampered", $"a sealed attachment failed its integrity check ({ex.Message})", cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                accepted.TrySetResult(false);
                sends.Add(Task.WhenAll(publishes));
                throw;
            }
        }

        if (group.Count > 0)
        {
            await StartGroupAsync(group, epoch, sends, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts the one message of a group of records without attachments.</summary>
    private async Task StartGroupAsync(List<(OutgoingRecord Record, TaskCompletionSource<bool> Accepted)> group, int epoch, List<Task> sends, CancellationToken cancellationToken)
    {
        var records = group.Select(g => (g.Record.Record.Seq, g.Accepted)).ToList();
        try
        {
            var publish = await StartPublishAsync(RecordsMessage([.. group.Select(g => g.Record)]), epoch, cancellationToken).ConfigureAwait(false);
            sends.Add(MarkSentWhenAcceptedAsync(records, [publish], cancellationToken));
        }
        catch
        {
            foreach (var (_, accepted) in records)
            {
                accepted.TrySetResult(false);
            }

            throw;
        }
    }

    /// <summary>Holds the record back for staff (kept in the outbox, never sent) and raises one alert about it.</summary>
    private async Task QuarantineAsync(long seq, string recordId, string alertType, string problem, CancellationToken cancellationToken)
    {
        _inFlight.Release(recordId);
        var alert = new NewRecord(RecordKind.Alert, _alerts.Body(alertType, "high",
            "a record the kiosk cannot send as it is was quarantined: it is kept in the outbox and not sent until staff look at it (" + problem + ")",
            new JsonObject { ["recordId"] = recordId, ["seq"] = seq }));
        if (await _outbox.QuarantineAsync(seq, problem, alert, cancellationToken).ConfigureAwait(false))
        {
            _status.QuarantinedOne();
            LogQuarantined(_logger, seq, alertType);
        }
    }

    /// <summary>
    /// Tracks the record as in flight on the batch's connection <paramref name="epoch"/>: should that connection be gone
    /// already, the next pass releases it at once (InFlightWindow.Expire) instead of holding it for the ack timeout.
    /// </summary>
    private TaskCompletionSource<bool> Track(OutboxRecord record, int epoch)
    {
        var accepted = _inFlight.Add(record.Seq, record.RecordId, epoch, out var resend);
        _status.Published(1, resend);
        return accepted;
    }

    private MqttApplicationMessage RecordsMessage(IReadOnlyList<OutgoingRecord> records) =>
        new MqttApplicationMessageBuilder()
            .WithTopic(_topics.Records(records[0].Record.Kind.WireName()))
            .WithPayload(RecordMessage.Serialize(records, _options.ChunkBytes, StampedClockOffset()))
            .WithContentType("application/json")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();

    private TimeSpan? StampedClockOffset() =>
        _status.ClockOffset is { } offset && offset.Duration() > _options.ClockStampThreshold ? offset : null;

    private async Task PublishChunksAsync(OutboxRecord record, OutboxAttachment attachment, int epoch, List<Task> publishes, CancellationToken cancellationToken)
    {
        var count = RecordMessage.ChunkCount(attachment.Length, _options.ChunkBytes);
        var topic = _topics.Blob(record.RecordId, attachment.AttachmentId);

        // Resume where the platform's progress report says it holds every chunk before this one.
        var first = Math.Min(attachment.AckedChunks, count);
        if (first > 0)
        {
            _status.SkippedChunks(first);
        }

        for (var index = first; index < count; index++)
        {
            var offset = (long)index * _options.ChunkBytes;
            var chunk = await _outbox.ReadAttachmentChunkAsync(attachment, offset, _options.ChunkBytes, cancellationToken).ConfigureAwait(false);
            if (chunk is null)
            {
                // Acknowledged (and deleted) while we were sending it again: nothing left to send.
                return;
            }

            var message = ChunkMessage.Build(topic, attachment, index, count, offset, chunk);
            publishes.Add(await StartPublishAsync(message, epoch, cancellationToken, _status.ChunkPublished).ConfigureAwait(false));
        }
    }

    /// <summary>
    /// Starts a QoS 1 publish on connection <paramref name="epoch"/> once a slot is free; the returned task completes at
    /// PUBACK. Throws when that connection is gone, even if the next one is already up.
    /// </summary>
    private async Task<Task> StartPublishAsync(MqttApplicationMessage message, int epoch, CancellationToken cancellationToken, Action? onAcknowledged = null)
    {
        await _rateLimit.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _publishSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!_connection.IsConnected || _connection.Epoch != epoch)
        {
            // Stop the batch at the first sign of a drop instead of failing every remaining chunk one by one; and never go
            // on over a newer connection, whose connect handler has already released this batch's records to be sent again.
            _publishSlots.Release();
            throw new InvalidOperationException("the MQTT connection dropped during the batch");
        }

        return PublishAndReleaseAsync(message, onAcknowledged, cancellationToken);
    }

    private async Task PublishAndReleaseAsync(MqttApplicationMessage message, Action? onAcknowledged, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _connection.Client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"broker refused {message.Topic}: {result.ReasonCode} {result.ReasonString}");
            }

            onAcknowledged?.Invoke();
        }
        finally
        {
            _publishSlots.Release();
        }
    }

    public override void Dispose()
    {
        _publishSlots.Dispose();
        _rateLimit.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 2105, Level = LogLevel.Error, Message = "The {Loop} loop of the sync failed; it goes on after a pause, and nothing leaves the outbox unacknowledged")]
    internal static partial void LogLoopFailure(ILogger logger, string loop, Exception exception);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Critical, Message = "Outbox record seq {Seq} cannot be sent as it is ({AlertType}); quarantined: kept, not sent, alert raised")]
    private static partial void LogQuarantined(ILogger logger, long seq, string alertType);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Publishing interrupted ({Reason}); the records stay in the outbox and go out after reconnect")]
    private static partial void LogPublishInterrupted(ILogger logger, string reason);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "No platform ack for {Count} records within {Seconds:0} s; sending them again, and waiting {NextSeconds:0} s for acks until the platform answers")]
    private static partial void LogAckTimeout(ILogger logger, int count, double seconds, double nextSeconds);

}
