using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Control;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Sync;
using Kiosk.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Agent.Tests.Sync;

/// <summary>
/// An ack that names a record whose send the publisher has not counted yet: the broker's PUBACK for the record's last
/// chunk is on its way, the platform already confirmed it. The ack waits for that send to settle instead of being
/// ignored (and the record sent again after the ack timeout), and still deletes only what the broker accepted in full.
/// </summary>
public sealed class AckProcessorTests
{
    private TempFolder _folder = null!;
    private FakeTimeProvider _time = null!;
    private OutboxStore _outbox = null!;
    private InFlightWindow _inFlight = null!;
    private SyncStatus _status = null!;
    private AckProcessor _acks = null!;
    private ControlStore _control = null!;
    private PlatformKeyRing _keys = null!;
    private Kiosk.Central.Signing.PlatformSigner _signer = null!;
    private CancellationTokenSource _stop = null!;
    private Task _loop = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = new TempFolder("ack-processor");
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
        _outbox = OutboxStore.Open(_folder.File("outbox.db"), _time);
        _inFlight = new InFlightWindow(_time);
        _status = new SyncStatus();
        _control = ControlStore.Open(_folder.File("control.db"), key: null, _time);
        _keys = new PlatformKeyRing(_control, TestPlatformKey.PublicKeyFile);
        _signer = TestPlatformKey.Signer(_time);
        var verifier = new PlatformMessageVerifier(_keys, "site", "kiosk", _time, () => _status.ClockOffset);
        _acks = new AckProcessor(_outbox, _inFlight, _status, new Topics("site", "kiosk"), new SyncOptions(), verifier, _control, new ClockChallenge(), _time, NullLogger.Instance);
        _stop = new CancellationTokenSource();
        _loop = _acks.RunAsync(_stop.Token);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _signer.Dispose();
        _keys.Dispose();
        _control.Dispose();
        _outbox.Dispose();
        _folder.Dispose();
    }

    private async Task<CommitReceipt> CommitAsync(int n) =>
        await _outbox.CommitAsync(new NewRecord(RecordKind.CheckIn, new JsonObject { ["n"] = n }), CancellationToken.None);

    /// <summary>An ack as the platform sends it; its platformTime lets the test see when the ack loop has taken it.</summary>
    private void Ack(params string[] recordIds) =>
        _acks.Offer(new ReadOnlySequence<byte>(_signer.Sign("kiosk/v1/site/kiosk/ack", "site", "kiosk", Encoding.UTF8.GetBytes(new JsonObject
        {
            ["recordIds"] = new JsonArray([.. recordIds.Select(id => (JsonNode)id)]),
            ["platformTime"] = _time.GetUtcNow().ToString("O"),
        }.ToJsonString()), Kiosk.Central.Signing.PlatformSigner.AckLifetime)));

    private Task AckTakenAsync() => Eventually.TrueAsync(() => _status.ClockOffset is not null, "the ack loop took the ack");

    private async Task<long> RecordsLeftAsync() => (await _outbox.GetTotalsAsync(CancellationToken.None)).Records;

    [Test]
    public async Task An_ack_delivered_minutes_late_does_not_make_the_next_prompt_ack_look_like_it_comes_from_the_future()
    {
        var records = new List<CommitReceipt>();
        for (var n = 0; n < 3; n++)
        {
            var receipt = await CommitAsync(n);
            await _outbox.MarkSentAsync([receipt.Seq], CancellationToken.None);
            records.Add(receipt);
        }

        Ack(records[0].RecordId);
        await Eventually.TrueAsync(() => _status.RecordsAcknowledged == 1, "a prompt ack applied");
        var offset = _status.ClockOffset;

        // Signed now, delivered 130 s later (a platform or broker under overload).
        var late = _signer.Sign("kiosk/v1/site/kiosk/ack", "site", "kiosk", Encoding.UTF8.GetBytes(new JsonObject
        {
            ["recordIds"] = new JsonArray(records[1].RecordId),
            ["platformTime"] = _time.GetUtcNow().ToString("O"),
        }.ToJsonString()), Kiosk.Central.Signing.PlatformSigner.AckLifetime);
        _time.Advance(TimeSpan.FromSeconds(130));
        _acks.Offer(new ReadOnlySequence<byte>(late));
        await Eventually.TrueAsync(() => _status.RecordsAcknowledged == 2, "the late ack applied");
        Assert.That(_status.ClockOffset, Is.EqualTo(offset), "a late ack does not lower the clock offset");

        Ack(records[2].RecordId);
        await Eventually.TrueAsync(() => _status.RecordsAcknowledged == 3, "the next prompt ack applied");
        Assert.That(_status.RefusedTotal, Is.Zero);
    }

    [Test]
    public async Task An_ack_that_arrives_before_the_send_is_counted_deletes_the_record_once_it_is()
    {
        var receipt = await CommitAsync(1);
        var accepted = _inFlight.Add(receipt.Seq, receipt.RecordId, epoch: 1, out _);

        Ack(receipt.RecordId);
        await AckTakenAsync();
        Assert.That(await RecordsLeftAsync(), Is.EqualTo(1), "not counted as sent yet: nothing deleted");

        // The last PUBACK arrives; the publisher counts the send and says so.
        await _outbox.MarkSentAsync([receipt.Seq], CancellationToken.None);
        accepted.SetResult(true);

        await Eventually.TrueAsync(() => _status.RecordsAcknowledged == 1, "the early ack applied");
        Assert.Multiple(async () =>
        {
            Assert.That(await RecordsLeftAsync(), Is.Zero);
            Assert.That(_status.AckIdsIgnored, Is.Zero);
            Assert.That(_inFlight.Count, Is.Zero, "no longer in flight");
        });
    }

    [Test]
    public async Task An_ack_for_a_record_whose_send_failed_deletes_nothing_and_the_next_ack_is_applied()
    {
        var failed = await CommitAsync(1);
        var sent = await CommitAsync(2);
        var accepted = _inFlight.Add(failed.Seq, failed.RecordId, epoch: 1, out _);

        Ack(failed.RecordId);
        await AckTakenAsync();
        accepted.SetResult(false);
        await Eventually.TrueAsync(() => _status.AckIdsIgnored == 1, "the ack for the failed send ignored");

        await _outbox.MarkSentAsync([sent.Seq], CancellationToken.None);
        Ack(sent.RecordId);
        await Eventually.TrueAsync(() => _status.RecordsAcknowledged == 1, "the next ack applied");
        var left = (await _outbox.ReadPendingAsync(10, new HashSet<long>(), CancellationToken.None)).Records;
        Assert.That(left.Select(r => r.RecordId), Is.EqualTo(new[] { failed.RecordId }), "the record whose send failed is kept");
    }

    [Test]
    public async Task An_ack_for_a_record_that_never_finishes_going_out_waits_only_its_bound()
    {
        var stuck = await CommitAsync(1);
        var sent = await CommitAsync(2);
        await _outbox.MarkSentAsync([sent.Seq], CancellationToken.None);
        _inFlight.Add(stuck.Seq, stuck.RecordId, epoch: 1, out _);

        Ack(stuck.RecordId);
        await AckTakenAsync();
        Ack(sent.RecordId);

        // The platform clock moves past the bound (advanced until the waiting ack's timer has fired).
        await Eventually.TrueAsync(() =>
        {
            _time.Advance(AckProcessor.SendSettleBound);
            return _status.RecordsAcknowledged == 1;
        }, "the ack behind the stuck one applied");
        Assert.Multiple(async () =>
        {
            Assert.That(_status.AckIdsIgnored, Is.EqualTo(1), "the stuck record's ack deleted nothing");
            Assert.That(await RecordsLeftAsync(), Is.EqualTo(1));
        });
    }
}
