using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Tests.Sync;
using Kiosk.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Agent.Tests.Outbox;

public sealed class OutboxRecoveryTests
{
    private const int CheckIns = 40;
    private TempFolder _folder = null!;
    private FakeTimeProvider _time = null!;
    private string _path = null!;

    /// <summary>What was committed: seq to its attachments (id to bytes).</summary>
    private Dictionary<long, Dictionary<string, byte[]>> _committed = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = new TempFolder("outbox-recovery");
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
        _path = _folder.File("outbox.db");
        _committed = [];
    }

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Test]
    public async Task A_truncated_file_is_kept_and_its_intact_records_salvaged()
    {
        await BuildOutboxAsync();
        Damage(bytes => bytes.AsSpan(0, (int)(bytes.Length * 0.6)).ToArray());

        await AssertSalvagedAsync(expectSomeSaved: true);
    }

    [Test]
    public async Task A_page_of_garbage_costs_only_the_records_on_it()
    {
        await BuildOutboxAsync();
        var pageSize = PageSize(_path);
        Damage(bytes =>
        {
            new Random(5).NextBytes(bytes.AsSpan(4 * pageSize, pageSize));
            return bytes;
        });

        await AssertSalvagedAsync(expectSomeSaved: true);
    }

    [Test]
    public async Task A_garbage_attachment_page_loses_that_check_in_not_its_neighbours()
    {
        await BuildOutboxAsync();
        var pageSize = PageSize(_path);
        var page = ChildPageOf("attachments");
        Damage(bytes =>
        {
            new Random(6).NextBytes(bytes.AsSpan((int)((page - 1) * pageSize), pageSize));
            return bytes;
        });

        var report = await AssertSalvagedAsync(expectSomeSaved: true);
        Assert.That(report.RecordsLost, Is.GreaterThan(0), "the check-ins whose attachment rows were on that page are not complete");
    }

    [Test]
    public async Task A_garbage_header_is_kept_aside_and_a_fresh_outbox_starts()
    {
        await BuildOutboxAsync();
        Damage(bytes =>
        {
            new Random(9).NextBytes(bytes.AsSpan(0, 100));
            return bytes;
        });

        OutboxRecoveryReport? report = null;
        Assert.DoesNotThrow(() =>
        {
            using var outbox = OutboxStore.Open(_path, _time);
            report = outbox.Recovery;
        });
        Assert.That(report, Is.Not.Null);
        await TestContext.Out.WriteLineAsync(report!.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(report.Problem, Does.Contain("not a database"));
            Assert.That(File.Exists(report.DamagedFile), Is.True, "the damaged file is evidence and is kept");
            Assert.That(report.RecordsSaved, Is.EqualTo(CountRecords(_path, "checkin")), "the report says what the fresh file holds");
            Assert.That(report.RecordsSaved, Is.EqualTo(CheckIns), "the pages behind a garbage header are intact; a rebuilt header reads them all");
            Assert.That(IntegrityCheck(_path), Is.EqualTo("ok"));
        });
        SqliteConnection.ClearAllPools();
        using var reopened = OutboxStore.Open(_path, _time);
        Assert.That(reopened.Recovery, Is.Null, "the fresh file is healthy");
        Assert.That((await reopened.CommitAsync(CheckIn(), CancellationToken.None)).Seq, Is.GreaterThan(0));
    }

    [Test]
    public async Task A_leftover_wal_after_a_crash_is_not_damage()
    {
        var crashed = _folder.File("crashed.db");
        using (var outbox = OutboxStore.Open(_path, _time))
        {
            for (var i = 0; i < 10; i++)
            {
                await outbox.CommitAsync(CheckIn(NewAttachment.FromBytes("face", "image/png", Bytes(i, 30_000), biometric: true)), CancellationToken.None);
            }

            // What a power cut leaves: the main file and a -wal that was never checkpointed.
            File.Copy(_path, crashed);
            File.Copy(_path + "-wal", crashed + "-wal");
        }

        Assume.That(new FileInfo(crashed + "-wal").Length, Is.GreaterThan(0), "the commits must still be in the -wal for this test to mean anything");
        SqliteConnection.ClearAllPools();
        using var reopened = OutboxStore.Open(crashed, _time);
        Assert.Multiple(() =>
        {
            Assert.That(reopened.Recovery, Is.Null);
            Assert.That(Directory.GetFiles(_folder.Path, "*.damaged-*"), Is.Empty);
        });
        Assert.That((await reopened.GetTotalsAsync(CancellationToken.None)).CheckIns, Is.EqualTo(10));
    }

    [Test]
    public async Task The_agent_raises_an_outboxSalvaged_alert()
    {
        var dataFolder = _folder.File("agent");
        _path = Path.Combine(dataFolder, "outbox.db");
        await BuildOutboxAsync();
        Damage(bytes => bytes.AsSpan(0, (int)(bytes.Length * 0.6)).ToArray());

        var agent = new TestAgent(FreePort.Next(), dataFolder);
        await using (agent.ConfigureAwait(false))
        {
            await agent.StartAsync();
            var recovery = agent.Outbox.Recovery;
            Assert.That(recovery, Is.Not.Null);
            var alerts = ((await agent.Outbox.ReadPendingAsync(1000, new HashSet<long>(), CancellationToken.None)).Records)
                .Where(r => r.Kind == RecordKind.Alert)
                .Select(r => JsonNode.Parse(agent.Outbox.OpenBody(r))!.AsObject())
                .Where(b => (string?)b["alertType"] == "outboxSalvaged")
                .ToList();
            Assert.That(alerts, Has.Count.EqualTo(1));
            Assert.Multiple(() =>
            {
                Assert.That((string?)alerts[0]["severity"], Is.EqualTo("high"));
                Assert.That((string?)alerts[0]["damagedFile"], Is.EqualTo(recovery!.DamagedFile));
                Assert.That((string?)alerts[0]["problem"], Is.EqualTo(recovery.Problem));
                Assert.That((int?)alerts[0]["recordsSaved"], Is.EqualTo(recovery.RecordsSaved));
                Assert.That((int?)alerts[0]["recordsLost"], Is.EqualTo(recovery.RecordsLost));
                Assert.That((int?)alerts[0]["attachmentsLost"], Is.EqualTo(recovery.AttachmentsLost));
                Assert.That(recovery.RecordsSaved + recovery.RecordsLost, Is.EqualTo(CheckIns));
            });
        }
    }

    /// <summary>The assertions every salvage must pass; returns the report for more.</summary>
    private async Task<OutboxRecoveryReport> AssertSalvagedAsync(bool expectSomeSaved)
    {
        OutboxRecoveryReport report;
        using (var outbox = OutboxStore.Open(_path, _time))
        {
            report = outbox.Recovery!;
            Assert.That(report, Is.Not.Null, "the damage was detected");
            var next = await outbox.CommitAsync(CheckIn(), CancellationToken.None);
            Assert.That(next.Seq, Is.GreaterThan(_committed.Keys.Max()), "seq never goes backwards, even past lost records");
        }

        SqliteConnection.ClearAllPools();
        await TestContext.Out.WriteLineAsync(report.ToString());
        var saved = ReadCheckIns(_path);
        saved.Remove(saved.Keys.Max());
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(report.DamagedFile), Is.True, "the damaged file is evidence and is kept");
            Assert.That(report.Problem, Is.Not.Empty);
            Assert.That(report.RecordsSaved + report.RecordsLost, Is.EqualTo(CheckIns));
            Assert.That(report.RecordsSaved, Is.EqualTo(saved.Count), "the report counts what the fresh file holds");
            Assert.That(_committed.Keys.Except(saved.Keys).Count(), Is.EqualTo(report.RecordsLost));
            if (expectSomeSaved)
            {
                Assert.That(report.RecordsSaved, Is.GreaterThan(0));
            }

            foreach (var (seq, attachments) in saved)
            {
                Assert.That(attachments, Is.EquivalentTo(_committed[seq]), $"seq {seq} has every attachment it was committed with, byte for byte");
            }

            Assert.That(IntegrityCheck(_path), Is.EqualTo("ok"));
            Assert.That(AuditEvents(_path), Does.Contain("salvaged"));
        });
        return report;
    }

    /// <summary>Commits <see cref="CheckIns"/> check-ins, every third with 1–2 attachments of 20–300 KB, and closes the outbox checkpointed.</summary>
    private async Task BuildOutboxAsync()
    {
        var random = new Random(42);
        using (var outbox = OutboxStore.Open(_path, _time))
        {
            for (var i = 0; i < CheckIns; i++)
            {
                var attachments = new Dictionary<string, byte[]>();
                if (i % 3 == 0)
                {
                    attachments["face"] = Bytes(i, random.Next(20_000, 300_000));
                    if (i % 2 == 0)
                    {
                        attachments["card"] = Bytes(i + 1000, random.Next(20_000, 300_000));
                    }
                }

                var receipt = await outbox.CommitAsync(CheckIn([.. attachments.Select(a => NewAttachment.FromBytes(a.Key, "image/png", a.Value, biometric: a.Key == "face"))]), CancellationToken.None);
                _committed[receipt.Seq] = attachments;
                _time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        SqliteConnection.ClearAllPools();
        using var connection = Connect(_path);
        Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
    }

    private void Damage(Func<byte[], byte[]> damage)
    {
        SqliteConnection.ClearAllPools();
        Assume.That(File.Exists(_path + "-wal") ? new FileInfo(_path + "-wal").Length : 0, Is.Zero, "everything is in the main file");
        File.WriteAllBytes(_path, damage(File.ReadAllBytes(_path)));
    }

    private static NewRecord CheckIn(params NewAttachment[] attachments) =>
        new(RecordKind.CheckIn, new JsonObject { ["person"] = "P0001" }) { Attachments = attachments };

    private static byte[] Bytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static SqliteConnection Connect(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static object? Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static int PageSize(string path)
    {
        using var connection = Connect(path);
        return Convert.ToInt32(Execute(connection, "PRAGMA page_size;"), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string? IntegrityCheck(string path)
    {
        using var connection = Connect(path);
        return Execute(connection, "PRAGMA integrity_check;") as string;
    }

    private static long CountRecords(string path, string kind)
    {
        using var connection = Connect(path);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM records WHERE kind = $kind;";
        command.Parameters.AddWithValue("$kind", kind);
        return (long)command.ExecuteScalar()!;
    }

    private static List<string> AuditEvents(string path)
    {
        using var connection = Connect(path);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT event FROM audit ORDER BY id;";
        using var reader = command.ExecuteReader();
        var events = new List<string>();
        while (reader.Read())
        {
            events.Add(reader.GetString(0));
        }

        return events;
    }

    /// <summary>The check-ins in the file, each with its attachments (id to bytes) as stored.</summary>
    private static Dictionary<long, Dictionary<string, byte[]>> ReadCheckIns(string path)
    {
        using var connection = Connect(path);
        var result = new Dictionary<long, Dictionary<string, byte[]>>();
        using (var records = connection.CreateCommand())
        {
            records.CommandText = "SELECT seq FROM records WHERE kind = 'checkin';";
            using var reader = records.ExecuteReader();
            while (reader.Read())
            {
                result[reader.GetInt64(0)] = [];
            }
        }

        using var attachments = connection.CreateCommand();
        attachments.CommandText = "SELECT record_seq, attachment_id, data FROM attachments;";
        using var rows = attachments.ExecuteReader();
        while (rows.Read())
        {
            result[rows.GetInt64(0)][rows.GetString(1)] = (byte[])rows.GetValue(2);
        }

        return result;
    }

    /// <summary>
    /// A page in the middle of <paramref name="table"/>'s b-tree: a child of its root, read from the file
    /// (https://sqlite.org/fileformat2.html#b_tree_pages: interior table page type 5, cell count at 3, cells start with the child page number).
    /// </summary>
    private long ChildPageOf(string table)
    {
        long root;
        using (var connection = Connect(_path))
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT rootpage FROM sqlite_master WHERE name = $name;";
            command.Parameters.AddWithValue("$name", table);
            root = (long)command.ExecuteScalar()!;
        }

        var pageSize = PageSize(_path);
        var page = File.ReadAllBytes(_path).AsSpan((int)((root - 1) * pageSize), pageSize);
        Assume.That(page[0], Is.EqualTo(5), $"{table} spans several pages, so its root is an interior page");
        var cells = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(page[3..]);
        var cell = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(page[(12 + (2 * (cells / 2)))..]);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(page[cell..]);
    }
}
