using System.Buffers;
using System.Threading.Channels;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Control;
using Kiosk.Agent.Outbox;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Kiosk.Agent.Sync;

/// <summary>
/// Applies the platform's <c>ack</c> messages: deletes confirmed records, records chunk progress, and releases
/// attachments the platform asks for again. Parsing happens on MQTTnet's receive loop and never throws, so every
/// message, malformed or not, is acknowledged to the broker and cannot come back as a poison message; the database work
/// runs on this processor's own loop, so it never holds up the PUBACKs that share the receive loop. The queue between
/// them is bounded: when it is full an ack is dropped and counted (its records are sent again after the ack timeout
/// and acknowledged again), because blocking the receive loop would stall the very PUBACKs the sync waits for.
/// </summary>
internal sealed partial class AckProcessor(OutboxStore outbox, InFlightWindow inFlight, SyncStatus status, Topics topics, SyncOptions options, PlatformMessageVerifier verifier, ControlStore control, ClockChallenge challenge, TimeProvider timeProvider, ILogger logger)
{
    /// <summary>The largest ack accepted: 500 record ids with retries and progress fit many times over.</summary>
    public const int MaxAckBytes = 256 * 1024;

    /// <summary>Acks waiting to be applied; the platform batches, so a few hundred is minutes of backlog.</summary>
    public const int QueueCapacity = 256;

    /// <summary>
    /// How long an ack waits for a record it names that is still being sent. The broker PUBACKs a record's last chunk
    /// before the platform can have it, on the same connection, so the wait is the outbox write that counts the send;
    /// the bound only matters for an ack that names a record the platform cannot have yet, which then deletes nothing.
    /// </summary>
    public static readonly TimeSpan SendSettleBound = TimeSpan.FromSeconds(10);

    private readonly Channel<(AckMessage Ack, VerifiedMessage Signed)> _acks = Channel.CreateBounded<(AckMessage, VerifiedMessage)>(new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        if (e.ApplicationMessage.Topic == topics.Ack)
        {
            Offer(e.ApplicationMessage.Payload);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Verifies one ack (signature, addressee, time: <see cref="PlatformMessageVerifier"/>), parses it and queues it for
    /// <see cref="RunAsync"/>, which checks its nonce before it deletes anything; never throws, never blocks.
    /// </summary>
    internal void Offer(ReadOnlySequence<byte> payload)
    {
        var refusal = verifier.Verify(topics.Ack, payload, MaxAckBytes, out var signed, out var why);
        string? parseError = null;
        var ack = signed is null ? null : AckMessage.TryParse(new ReadOnlySequence<byte>(signed.Payload), out parseError);
        if (refusal is Refusal.Future or Refusal.Expired && ack is not null && challenge.Matches(ack.Challenge))
        {
            // The platform's signed answer to this connection's clock challenge: fresh whatever the clocks say. Its
            // platformTime sets the offset, and the time checks that refused it hold from then on.
            refusal = Refusal.None;
        }

        if (refusal != Refusal.None)
        {
            status.RefusedOne(refusal);
            PlatformMessageLog.Refused(logger, topics.Ack, refusal.WireName(), why);
            return;
        }

        if (ack is null)
        {
            status.MalformedAck();
            LogMalformedAck(logger, topics.Ack, parseError ?? "unknown");
            return;
        }

        // Hand off: the database work must not hold up MQTTnet's receive loop (it also carries our PUBACKs).
        if (!_acks.Writer.TryWrite((ack, signed!)))
        {
            status.AckDropped();
            LogAckDropped(logger, QueueCapacity);
        }
    }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await foreach (var (ack, signed) in _acks.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                // Durable before the ack deletes anything: the same ack replayed, now or after a restart, is refused.
                if (!await control.TryRecordNonceAsync(signed.Nonce, signed.ExpiresAt, stoppingToken).ConfigureAwait(false))
                {
                    status.RefusedOne(Refusal.Replayed);
                    PlatformMessageLog.Refused(logger, topics.Ack, Refusal.Replayed.WireName(), "its nonce was seen before");
                    continue;
                }

                await ApplyAckAsync(ack, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A sync loop that dies stops delivery for good; log, and the record is simply sent again later.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                OutboxPublisher.LogLoopFailure(logger, "ack", ex);
            }
        }
    }

    private async Task ApplyAckAsync(AckMessage ack, CancellationToken stoppingToken)
    {
        var now = timeProvider.GetUtcNow();
        if (ack.PlatformTime is { } platformTime)
        {
            // platformTime was read before the ack travelled, so platformTime - now understates the offset by the
            // delivery time. The answer to this connection's clock challenge sets it; any other ack only raises it (the
            // least delayed is the best estimate). Lowered by a slow ack, the offset made the next prompt ack look
            // minutes "in the future" and refused it: a 1,000-kiosk run under overload showed acks 121 s late.
            if (challenge.Matches(ack.Challenge))
            {
                status.SetClockOffset(platformTime - now);
            }
            else
            {
                status.RaiseClockOffset(platformTime - now);
            }
        }

        await WaitForSendsAsync(ack.RecordIds, stoppingToken).ConfigureAwait(false);
        var deleted = await outbox.AcknowledgeAsync(ack.RecordIds, stoppingToken).ConfigureAwait(false);
        status.AckIdsIgnoredBy(ack.RecordIds.Distinct(StringComparer.Ordinal).Count() - deleted.Count);
        foreach (var (seq, recordId) in deleted)
        {
            inFlight.Acknowledged(seq, recordId);
            status.Acknowledged(recordId, seq, now);
        }

        foreach (var (recordId, attachmentId, received) in ack.Progress)
        {
            await outbox.SetChunkProgressAsync(recordId, attachmentId, received, exact: false, options.ChunkBytes, stoppingToken).ConfigureAwait(false);
        }

        foreach (var (recordId, attachmentId, fromChunk) in ack.Retry)
        {
            // The platform could not verify (from 0) or complete (from its first gap) this attachment: send it again, now.
            LogRetryRequested(logger, recordId, attachmentId, fromChunk);
            await outbox.SetChunkProgressAsync(recordId, attachmentId, fromChunk, exact: true, options.ChunkBytes, stoppingToken).ConfigureAwait(false);
            inFlight.Release(recordId);
        }

        outbox.Signal.Set();
    }

    /// <summary>
    /// The platform may confirm a record whose last PUBACK the publisher has not yet counted (it counts each record as soon
    /// as the broker accepted all of it, not at the end of its batch): wait, bounded, until those sends are settled, so
    /// the ack is applied now instead of being ignored and the record sent again after the ack timeout.
    /// </summary>
    private async Task WaitForSendsAsync(IReadOnlyList<string> recordIds, CancellationToken stoppingToken)
    {
        var sending = recordIds.Select(inFlight.Sending).OfType<Task<bool>>().Where(t => !t.IsCompleted).ToList();
        if (sending.Count == 0)
        {
            return;
        }

        try
        {
            await Task.WhenAll(sending).WaitAsync(SendSettleBound, timeProvider, stoppingToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Still going out: the ack deletes what is counted; the rest is sent again and acknowledged again.
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Ignored a malformed message on {Topic}: {Problem}")]
    private static partial void LogMalformedAck(ILogger logger, string topic, string problem);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "Platform asked for attachment {AttachmentId} of record {RecordId} again from chunk {FromChunk}")]
    private static partial void LogRetryRequested(ILogger logger, string recordId, string attachmentId, int fromChunk);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Warning, Message = "The ack queue is full ({Capacity}); an ack was dropped and its records will be sent and acknowledged again")]
    private static partial void LogAckDropped(ILogger logger, int capacity);
}
