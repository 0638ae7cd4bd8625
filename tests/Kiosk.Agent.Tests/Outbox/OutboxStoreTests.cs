using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;
using Kiosk.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Agent.Tests.Outbox;

public sealed class OutboxStoreTests
{
    private TempFolder _folder = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = new TempFolder("outbox");
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
    }

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    private OutboxStore Open() => OutboxStore.Open(_folder.File("outbox.db"), _time);

    private static NewRecord CheckIn(params NewAttachment[] attachments) =>
        new(RecordKind.CheckIn, new JsonObject { ["person"] = "P0001" }) { Attachments = attachments };

    [Test]
    public async Task Commit_stores_record_attachments_and_audit_in_one_go()
    {
        using var outbox = Open();
        var receipt = await outbox.CommitAsync(CheckIn(NewAttachment.FromBytes("face", "image/png", new byte[] { 1, 2, 3 }, biometric: true)), CancellationToken.None);

        var pending = (await outbox.ReadPendingAsync(10, new HashSet<long>(), CancellationToken.None)).Records;
        Assert.That(pending, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(pending[0].RecordId, Is.EqualTo(receipt.RecordId));
            Assert.That(RecordIds.IsValid(receipt.RecordId), Is.True, "record ids are UUIDv7");
            Assert.That(pending[0].Attachments.Single().Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(new byte[] { 1, 2, 3 }))));
            Assert.That(pending[0].CreatedAt, Is.EqualTo(_time.GetUtcNow()));
            Assert.That(AuditEvents(), Is.EqualTo(new[] { "committed" }));
        });
    }

    [Test]
    public async Task Commit_is_all_or_nothing_when_an_attachment_fails_midway()
    {
        using var outbox = Open();
        await outbox.CommitAsync(CheckIn(), CancellationToken.None);
        var failing = new NewAttachment("scan", "image/png", 1_000_000, () => new FailingStream(after: 300_000), Biometric: false);

        Assert.ThrowsAsync<IOException>(() => outbox.CommitAsync(CheckIn(NewAttachment.FromBytes("face", "image/png", new byte[10], true), failing), CancellationToken.None));

        var stats = await outbox.GetTotalsAsync(CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(stats.Records, Is.EqualTo(1), "the failed check-in left no record");
            Assert.That(Count("attachments"), Is.Zero, "and no attachment");
            Assert.That(AuditEvents(), Is.EqualTo(new[] { "committed" }), "and no audit entry");
        });
    }

    [Test]
    public async Task Commit_refuses_an_attachment_shorter_than_declared()
    {
        using var outbox = Open();
        var liar = new NewAttachment("face", "image/png", 100, () => new MemoryStream(new byte[50]), Biometric: true);
        Assert.ThrowsAsync<InvalidDataException>(() => outbox.CommitAsync(CheckIn(liar), CancellationToken.None));
        Assert.That((await outbox.GetTotalsAsync(CancellationToken.None)).Records, Is.Zero);
    }

    [Test]
    public async Task Seq_continues_after_reopening_and_after_deletes()
    {
        string lastId;
        using (var outbox = Open())
        {
            await outbox.CommitAsync(CheckIn(), CancellationToken.None);
            var second = await outbox.CommitAsync(CheckIn(), CancellationToken.None);
            lastId = second.RecordId;
            await outbox.MarkSentAsync([second.Seq], CancellationToken.None);
            await outbox.AcknowledgeAsync([lastId], CancellationToken.None);
        }

        SqliteConnection.ClearAllPools();
        using var reopened = Open();
        var third = await reopened.CommitAsync(CheckIn(), CancellationToken.None);
        Assert.That(third.Seq, Is.EqualTo(3), "seq is never reused, even for a deleted record");
        Assert.That(reopened.LastSeq(), Is.EqualTo(3));
    }

    [Test]
    public async Task A_5_MB_attachment_round_trips_byte_for_byte_through_chunks()
    {
        var data = new byte[5 * 1024 * 1024 + 123];
        new Random(7).NextBytes(data);
        using var outbox = Open();
        await outbox.CommitAsync(CheckIn(NewAttachment.FromBytes("scan", "image/png", data, biometric: false)), CancellationToken.None);

        var attachment = ((await outbox.ReadPendingAsync(1, new HashSet<long>(), CancellationToken.None)).Records)[0].Attachments.Single();
        using var copy = new MemoryStream();
        for (long offset = 0; offset < attachment.Length; offset += 128 * 1024)
        {
            copy.Write(await outbox.ReadAttachmentChunkAsync(attachment, offset, 128 * 1024, CancellationToken.None) ?? throw new AssertionException("chunk missing"));
        }

        Assert.Multiple(() =>
        {
            Assert.That(copy.ToArray(), Is.EqualTo(data));
            Assert.That(attachment.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(data))));
        });
    }

    [Test]
    public async Task Drain_order_is_priority_then_seq()
    {
        using var outbox = Open();
        await outbox.CommitAsync(new NewRecord(RecordKind.Audit, []), CancellationToken.None);
        await outbox.CommitAsync(CheckIn(), CancellationToken.None);
        await outbox.CommitAsync(new NewRecord(RecordKind.Alert, []), CancellationToken.None);
        await outbox.CommitAsync(CheckIn(), CancellationToken.None);

        var pending = (await outbox.ReadPendingAsync(10, new HashSet<long>(), CancellationToken.None)).Records;
        Assert.That(pending.Select(r => (r.Kind, r.Seq)), Is.EqualTo(new[] { (RecordKind.Alert, 3L), (RecordKind.CheckIn, 2L), (RecordKind.CheckIn, 4L), (RecordKind.Audit, 1L) }));
        var skipping = (await outbox.ReadPendingAsync(10, new HashSet<long> { 3, 2 }, CancellationToken.None)).Records;
        Assert.That(skipping.Select(r => r.Seq), Is.EqualTo(new[] { 4L, 1L }), "in-flight records are skipped");
    }

    [Test]
    public async Task Acknowledge_deletes_only_named_records_and_ignores_unknown_ids()
    {
        using var outbox = Open();
        var first = await outbox.CommitAsync(CheckIn(NewAttachment.FromBytes("face", "image/png", new byte[64], true)), CancellationToken.None);
        var second = await outbox.CommitAsync(CheckIn(), CancellationToken.None);
        await outbox.MarkSentAsync([first.Seq, second.Seq], CancellationToken.None);

        var deleted = await outbox.AcknowledgeAsync([first.RecordId, Guid.CreateVersion7().ToString()], CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(deleted, Is.EqualTo(new[] { (first.Seq, first.RecordId) }));
            Assert.That(Count("records"), Is.EqualTo(1));
            Assert.That(Count("attachments"), Is.Zero, "the acknowledged record's biometric attachment is gone");
            Assert.That(AuditEvents(), Is.EqualTo(new[] { "committed", "committed", "acknowledged" }));
        });
    }

    [Test]
    public async Task An_ack_for_a_record_never_sent_in_full_deletes_nothing()
    {
        using var outbox = Open();
        var unsent = await outbox.CommitAsync(CheckIn(NewAttachment.FromBytes("face", "image/png", new byte[64], true)), CancellationToken.None);

        var deleted = await outbox.AcknowledgeAsync([unsent.RecordId], CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(deleted, Is.Empty, "nobody can confirm storing a record the kiosk never finished sending");
            Assert.That(Count("records"), Is.EqualTo(1));
            Assert.That(Count("attachments"), Is.EqualTo(1));
            Assert.That(AuditEvents(), Is.EqualTo(new[] { "committed" }));
        });
    }

    [Test]
    public void Opening_a_database_from_a_newer_agent_says_how_to_fix_it()
    {
        using (var connection = new SqliteConnection($"Data Source={_folder.File("outbox.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99;";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<InvalidOperationException>(() => Open());
        Assert.That(error!.Message, Does.Contain("schema version 99").And.Contain("Rollback"));
    }

    [Test]
    public async Task The_outbox_runs_in_WAL_mode_with_full_sync()
    {
        using var outbox = Open();
        await outbox.CommitAsync(CheckIn(), CancellationToken.None);
        // journal_mode=WAL is kept in the file, so a second connection shows it.
        Assert.That(Scalar("PRAGMA journal_mode;"), Is.EqualTo("wal"));
        // synchronous holds per connection (a second one would report its own default), so it is read on the
        // store's connection: 2 is FULL, which makes a commit durable before the screen says "done".
        Assert.That(outbox.Pragma("synchronous"), Is.EqualTo(2), "the store's connection must run synchronous=FULL");
    }

    private long Count(string table) => Convert.ToInt64(Scalar($"SELECT COUNT(*) FROM {table};"), System.Globalization.CultureInfo.InvariantCulture);

    private string[] AuditEvents()
    {
        using var connection = new SqliteConnection($"Data Source={_folder.File("outbox.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT event FROM audit ORDER BY id;";
        using var reader = command.ExecuteReader();
        var events = new List<string>();
        while (reader.Read())
        {
            events.Add(reader.GetString(0));
        }

        return [.. events];
    }

    private string Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_folder.File("outbox.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    /// <summary>Yields zeros, then fails like a device unplugged mid-read.</summary>
    private sealed class FailingStream(long after) : Stream
    {
        private long _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= after)
            {
                throw new IOException("device unplugged mid-read");
            }

            var n = (int)Math.Min(count, after - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
