using Kiosk.Central.Storage;
using Kiosk.Central.Tests.Support;
using Kiosk.TestSupport;
using Npgsql;

namespace Kiosk.Central.Tests.Storage;

/// <summary>
/// Several platform instances behind one MQTT 5 shared subscription, sharing a PostgreSQL store (a private cluster from
/// Debian's postgresql, started here): the broker hands each message to one of them, so a record and its chunks land
/// on different instances, and the store is where they meet.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SharedPlatformTests
{
    private const int ChunkSize = 128 * 1024;
    private MosquittoBroker _broker = null!;
    private LocalPostgres _postgres = null!;
    private TempFolder _folder = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        if (LocalPostgres.FindServer() is null)
        {
            Assert.Ignore("PostgreSQL's server is not installed (apt-get install -y postgresql; ./kiosk.sh test installs it)");
        }

        _folder = new TempFolder("central-shared");
        _broker = await MosquittoBroker.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        _postgres = await LocalPostgres.StartAsync(_folder.Path, TestContext.Progress, timeout.Token);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        _folder?.Dispose();
    }

    [Test]
    public async Task TwoInstancesShareTheTrafficAndStoreEveryRecordOnceWithItsAttachment()
    {
        var database = await NewDatabaseAsync();
        await using var first = await StartInstanceAsync(database, "a");
        await using var second = await StartInstanceAsync(database, "b");
        await using var kiosk = await TestKiosk.ConnectAsync(_broker.Port, "shared-" + Guid.NewGuid().ToString("N")[..8]);
        var contents = new Dictionary<string, byte[]>();
        for (var seq = 1; seq <= 30; seq++)
        {
            var content = Records.RandomBytes(300_000, seed: seq);
            var record = Records.New(seq, "checkin", Records.Attachment("face", content, ChunkSize));
            contents[Records.Id(record)] = content;
            // Chunks before and after the record, so every order of arrival is exercised across the two instances.
            await kiosk.PublishChunksAsync(Records.Id(record), "face", content, ChunkSize, which: i => i == 1);
            await kiosk.PublishRecordsAsync("checkin", record);
            await kiosk.PublishChunksAsync(Records.Id(record), "face", content, ChunkSize, which: i => i != 1);
        }

        // Two instances acknowledge in their own order: wait for every id, whichever ack carries it.
        await Eventually.TrueAsync(() => contents.Keys.All(kiosk.EverAcknowledged), "every record acknowledged");

        var stored = await first.Platform.GetStoredRecordsAsync(CancellationToken.None);
        Assert.That(stored.Select(r => r.RecordId), Is.EquivalentTo(contents.Keys), "every record stored, once");
        foreach (var (id, content) in contents)
        {
            Assert.That(await second.Platform.GetAttachmentAsync(id, "face", CancellationToken.None), Is.EqualTo(content), id);
        }

        Assert.That(first.Platform.Counts.ChunksReceived + first.Platform.Counts.RecordsReceived, Is.GreaterThan(0), "the first instance had a share");
        Assert.That(second.Platform.Counts.ChunksReceived + second.Platform.Counts.RecordsReceived, Is.GreaterThan(0), "the second instance had a share");
        Assert.That(first.Platform.Counts.ChunksReceived + second.Platform.Counts.ChunksReceived, Is.EqualTo(30 * 3), "each chunk went to one instance");
        Assert.That(await CountAsync(database, "pending_chunks") + await CountAsync(database, "pending_records"), Is.Zero, "nothing left pending");
    }

    [Test]
    public async Task TheSameRecordSentManyTimesToAGroupIsStoredOnceAndAcknowledged()
    {
        var database = await NewDatabaseAsync();
        await using var first = await StartInstanceAsync(database, "a");
        await using var second = await StartInstanceAsync(database, "b");
        await using var kiosk = await TestKiosk.ConnectAsync(_broker.Port, "shared-" + Guid.NewGuid().ToString("N")[..8]);
        var content = Records.RandomBytes(200_000, seed: 7);
        var record = Records.New(1, "checkin", Records.Attachment("face", content, ChunkSize));
        var plain = Records.New(2);

        for (var i = 0; i < 6; i++)
        {
            await kiosk.PublishRecordsAsync("checkin", record, plain);
            await kiosk.PublishChunksAsync(Records.Id(record), "face", content, ChunkSize);
        }

        await Eventually.TrueAsync(() => kiosk.EverAcknowledged(Records.Id(record)) && kiosk.EverAcknowledged(Records.Id(plain)), "both records acknowledged");
        await Eventually.TrueAsync(
            () => first.Platform.Counts.RecordsReceived + second.Platform.Counts.RecordsReceived == 12,
            "every copy of both records reached an instance");
        var stored = await first.Platform.GetStoredRecordsAsync(CancellationToken.None);
        Assert.That(stored.Select(r => r.Seq), Is.EquivalentTo(new long[] { 1, 2 }));
        Assert.That(first.Platform.Counts.RecordsStored + second.Platform.Counts.RecordsStored, Is.EqualTo(2));
    }

    [Test]
    public async Task AChunkThatDoesNotMatchItsHashIsAskedForAgainByWhicheverInstanceGotIt()
    {
        var database = await NewDatabaseAsync();
        await using var first = await StartInstanceAsync(database, "a");
        await using var second = await StartInstanceAsync(database, "b");
        await using var kiosk = await TestKiosk.ConnectAsync(_broker.Port, "shared-" + Guid.NewGuid().ToString("N")[..8]);
        var content = Records.RandomBytes(400_000, seed: 9);
        var record = Records.New(1, "checkin", Records.Attachment("face", content, ChunkSize));
        var id = Records.Id(record);

        await kiosk.PublishRecordsAsync("checkin", record);
        await kiosk.PublishChunksAsync(id, "face", content, ChunkSize, corruptIndex: 2);
        var retry = await kiosk.WaitForAckAsync(a => a["retry"] is System.Text.Json.Nodes.JsonArray);
        Assert.That(retry["retry"]![0]!["recordId"]!.GetValue<string>(), Is.EqualTo(id));
        Assert.That(kiosk.EverAcknowledged(id), Is.False);

        await kiosk.PublishChunksAsync(id, "face", content, ChunkSize);
        await Eventually.TrueAsync(() => kiosk.EverAcknowledged(id), "the record acknowledged after the resend");
        Assert.That(await first.Platform.GetAttachmentAsync(id, "face", CancellationToken.None), Is.EqualTo(content));
    }

    [Test]
    public async Task PiecesSavedBesideTheirRecordsCommitAreSweptAndPiecesOfWaitingRecordsAreKept()
    {
        var database = await NewDatabaseAsync();
        using var store = await PostgresCentralStore.OpenAsync(database, CancellationToken.None);
        var header = new Kiosk.Central.Messages.ChunkHeader(0, 2, 0, 6, new string('0', 64), new string('1', 64));
        var stored = new Kiosk.Central.Messages.RecordEnvelope("s", "k", Guid.NewGuid().ToString(), 1, "checkin", "{}", []);
        var waiting = Guid.NewGuid().ToString();
        await store.StoreBatchAsync([], [new Kiosk.Central.Reassembly.CompletedRecord(stored, [])], DateTimeOffset.UnixEpoch, CancellationToken.None);
        // Another instance saved these while the record's commit ran: after it had deleted what it saw.
        await store.SavePendingRecordAsync(stored, CancellationToken.None);
        await store.SavePendingChunkAsync(new Kiosk.Central.Reassembly.AttachmentKey("s", "k", stored.RecordId, "a"), header, [1, 2, 3], CancellationToken.None);
        await store.SavePendingChunkAsync(new Kiosk.Central.Reassembly.AttachmentKey("s", "k", waiting, "a"), header, [4, 5, 6], CancellationToken.None);

        Assert.That(await store.DeleteSettledPendingAsync(CancellationToken.None), Is.EqualTo(2), "the stored record's waiting row and chunk");
        Assert.That((await store.ReadPendingChunksAsync(CancellationToken.None)).Select(c => c.Key.RecordId), Is.EqualTo(new[] { waiting }));
        Assert.That(await CountAsync(database, "pending_records"), Is.Zero);
    }

    [Test]
    public void AGroupWithoutASharedStoreIsRefusedNamingWhatIsMissing()
    {
        var options = new CentralOptions { DatabasePath = _folder.File("x.db"), SharedSubscriptionGroup = "platform", SigningKeyFile = TestPlatformKey.PrivateKeyFile };
        var error = Assert.Throws<ArgumentException>(options.Validate)!;
        Assert.That(error.Message, Does.Contain("SharedSubscriptionGroup needs PostgresConnectionString"));
        options.SharedSubscriptionGroup = "$share/x";
        options.PostgresConnectionString = "Host=127.0.0.1";
        Assert.That(Assert.Throws<ArgumentException>(options.Validate)!.Message, Does.Contain("must be 1..64 letters"));
    }

    private Task<CentralUnderTest> StartInstanceAsync(string database, string name) =>
        CentralUnderTest.StartAsync(_broker, _folder.File(name + ".db"), "central-" + name + "-" + Guid.NewGuid().ToString("N")[..6], options =>
        {
            options.PostgresConnectionString = database;
            options.SharedSubscriptionGroup = "platform-" + database.GetHashCode(StringComparison.Ordinal).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        });

    /// <summary>A fresh database per test, so counts are the test's own.</summary>
    private async Task<string> NewDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(_postgres.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(_postgres.ConnectionString) { Database = name }.ConnectionString;
    }

    private static async Task<long> CountAsync(string database, string table)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
