using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;
using Kiosk.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Agent.Tests.Outbox;

/// <summary>The byte budget: evict what may go, refuse what does not fit, never drop a check-in or an alert.</summary>
public sealed class OutboxBudgetTests
{
    // 1 MiB budget: high water 90 % (943,718 bytes), warning 80 %.
    private static readonly OutboxBudget Budget = new(1024 * 1024);
    private TempFolder _folder = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = new TempFolder("budget");
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
    }

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    private OutboxStore Open() => OutboxStore.Open(_folder.File("outbox.db"), _time, budget: Budget);

    private static NewRecord Sized(RecordKind kind, int bytes, TimeSpan? ttl = null) =>
        new(kind, new JsonObject { ["kind"] = kind.ToString() })
        {
            Attachments = [NewAttachment.FromBytes("payload", "application/octet-stream", new byte[bytes], biometric: false)],
            TimeToLive = ttl,
        };

    [Test]
    public async Task Above_the_high_water_mark_expired_then_low_priority_rows_are_evicted_never_check_ins()
    {
        using var outbox = Open();
        var checkIns = new List<CommitReceipt>();
        for (var i = 0; i < 5; i++)
        {
            checkIns.Add(await outbox.CommitAsync(Sized(RecordKind.CheckIn, 100_000), CancellationToken.None));
        }

        var audit = await outbox.CommitAsync(Sized(RecordKind.Audit, 150_000), CancellationToken.None);
        var expiring = await outbox.CommitAsync(Sized(RecordKind.Telemetry, 150_000, TimeSpan.FromMinutes(5)), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(10));

        // 800 KB used + this 150 KB passes 943 KB: the expired telemetry row goes first, and that is enough.
        var next = await outbox.CommitAsync(Sized(RecordKind.CheckIn, 150_000), CancellationToken.None);
        var left = ((await outbox.ReadPendingAsync(100, new HashSet<long>(), CancellationToken.None)).Records).Select(r => r.RecordId).ToList();
        Assert.That(left, Does.Not.Contain(expiring.RecordId));
        Assert.That(left, Does.Contain(audit.RecordId), "the audit row was not needed to make room");

        // Another 150 KB: now the audit row is evicted.
        var more = await outbox.CommitAsync(Sized(RecordKind.CheckIn, 150_000), CancellationToken.None);
        left = [.. ((await outbox.ReadPendingAsync(100, new HashSet<long>(), CancellationToken.None)).Records).Select(r => r.RecordId)];
        Assert.Multiple(() =>
        {
            Assert.That(left, Does.Not.Contain(audit.RecordId));
            Assert.That(left, Is.SupersetOf(checkIns.Select(c => c.RecordId).Append(next.RecordId).Append(more.RecordId)), "no check-in was evicted");
            Assert.That(outbox.Usage.UsedBytes, Is.LessThanOrEqualTo(Budget.HighWaterBytes));
        });
    }

    [Test]
    public async Task When_only_check_ins_remain_a_new_check_in_is_refused_and_an_alert_still_fits()
    {
        using var outbox = Open();
        for (var i = 0; i < 9; i++)
        {
            await outbox.CommitAsync(Sized(RecordKind.CheckIn, 100_000), CancellationToken.None);
        }

        var before = (await outbox.GetTotalsAsync(CancellationToken.None)).Records;
        var refused = Assert.ThrowsAsync<OutboxFullException>(() => outbox.CommitAsync(Sized(RecordKind.CheckIn, 100_000), CancellationToken.None));
        Assert.That(refused!.Message, Does.Contain("outbox is full").And.Contain("frees itself as the platform acknowledges"));
        Assert.That((await outbox.GetTotalsAsync(CancellationToken.None)).Records, Is.EqualTo(before), "nothing was stored and nothing was evicted");

        await outbox.CommitAsync(Sized(RecordKind.Alert, 2_000), CancellationToken.None);
        Assert.That((await outbox.GetTotalsAsync(CancellationToken.None)).Alerts, Is.EqualTo(1), "alerts use the room above the high-water mark");
    }

    [Test]
    public async Task Acknowledged_records_free_the_space_and_check_ins_are_taken_again()
    {
        using var outbox = Open();
        var receipts = new List<CommitReceipt>();
        for (var i = 0; i < 9; i++)
        {
            receipts.Add(await outbox.CommitAsync(Sized(RecordKind.CheckIn, 100_000), CancellationToken.None));
        }

        Assert.ThrowsAsync<OutboxFullException>(() => outbox.CommitAsync(Sized(RecordKind.CheckIn, 100_000), CancellationToken.None));
        await outbox.MarkSentAsync([receipts[0].Seq, receipts[1].Seq], CancellationToken.None);
        await outbox.AcknowledgeAsync([receipts[0].RecordId, receipts[1].RecordId], CancellationToken.None);

        Assert.DoesNotThrowAsync(() => outbox.CommitAsync(Sized(RecordKind.CheckIn, 100_000), CancellationToken.None));
    }

    [Test]
    public async Task Crossing_the_warning_mark_is_reported_both_ways()
    {
        using var outbox = Open();
        var changes = new List<OutboxUsage>();
        outbox.WarningChanged += (_, usage) => changes.Add(usage);
        var receipts = new List<CommitReceipt>();
        for (var i = 0; i < 9; i++)
        {
            receipts.Add(await outbox.CommitAsync(Sized(RecordKind.CheckIn, 100_000), CancellationToken.None));
        }

        Assert.That(changes.Select(c => c.AboveWarning), Is.EqualTo(new[] { true }), "one report when passing 80 %");
        Assert.That(changes[0].UsedPercent, Is.GreaterThanOrEqualTo(80));

        await outbox.MarkSentAsync([.. receipts.Take(3).Select(r => r.Seq)], CancellationToken.None);
        await outbox.AcknowledgeAsync([.. receipts.Take(3).Select(r => r.RecordId)], CancellationToken.None);
        Assert.That(changes.Select(c => c.AboveWarning), Is.EqualTo(new[] { true, false }));
    }

    [Test]
    public async Task The_used_bytes_survive_a_restart()
    {
        using (var outbox = Open())
        {
            await outbox.CommitAsync(Sized(RecordKind.CheckIn, 300_000), CancellationToken.None);
        }

        SqliteConnection.ClearAllPools();
        using var reopened = Open();
        Assert.That(reopened.Usage.UsedBytes, Is.GreaterThan(300_000));
    }

    [Test]
    public async Task Expired_telemetry_is_never_sent()
    {
        using var outbox = Open();
        await outbox.CommitAsync(Sized(RecordKind.Telemetry, 10, TimeSpan.FromMinutes(1)), CancellationToken.None);
        Assert.That((await outbox.ReadPendingAsync(10, new HashSet<long>(), CancellationToken.None)).Records, Has.Count.EqualTo(1));
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.That((await outbox.ReadPendingAsync(10, new HashSet<long>(), CancellationToken.None)).Records, Is.Empty);
    }

    [Test]
    public async Task Purging_removes_only_expired_rows_and_gives_their_bytes_back()
    {
        using var outbox = Open();
        await outbox.CommitAsync(Sized(RecordKind.Telemetry, 50_000, TimeSpan.FromMinutes(1)), CancellationToken.None);
        await outbox.CommitAsync(Sized(RecordKind.CheckIn, 50_000), CancellationToken.None);
        var used = outbox.Usage.UsedBytes;
        _time.Advance(TimeSpan.FromMinutes(2));

        Assert.That(await outbox.PurgeExpiredAsync(CancellationToken.None), Is.EqualTo(1));
        Assert.That(outbox.Usage.UsedBytes, Is.LessThan(used - 49_000));
        Assert.That((await outbox.GetTotalsAsync(CancellationToken.None)).CheckIns, Is.EqualTo(1));
    }
}
