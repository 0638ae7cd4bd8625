using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Outbox.Encryption;
using Kiosk.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Agent.Tests.Outbox;

/// <summary>Attachments and record bodies are sealed at rest with the outbox key and read back as plaintext for sending.</summary>
public sealed class SealedAttachmentTests
{
    private TempFolder _folder = null!;
    private FakeTimeProvider _time = null!;
    private byte[] _key = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = new TempFolder("sealed");
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
        _key = OutboxKey.LoadOrCreate(_folder.File("outbox.key"));
    }

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    private OutboxStore Open() => OutboxStore.Open(_folder.File("outbox.db"), _time, key: _key);

    private static byte[] Face(int length)
    {
        // A recognisable pattern: if it shows up in the file, it was stored in the clear.
        var data = new byte[length];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)("FACEDATA"[i % 8]);
        }

        return data;
    }

    private static NewRecord CheckIn(byte[] face, byte[] scan) => new(RecordKind.CheckIn, new JsonObject())
    {
        Attachments = [NewAttachment.FromBytes("face", "image/jpeg", face, biometric: true), NewAttachment.FromBytes("scan", "image/png", scan, biometric: false)],
    };

    [Test]
    public async Task Attachments_are_stored_sealed_and_read_back_as_plaintext_chunk_by_chunk()
    {
        var face = Face(200_003);
        using var outbox = Open();
        await outbox.CommitAsync(CheckIn(face, Face(1000)), CancellationToken.None);
        var attachments = ((await outbox.ReadPendingAsync(1, new HashSet<long>(), CancellationToken.None)).Records)[0].Attachments;
        var sealedFace = attachments.Single(a => a.AttachmentId == "face");

        var copy = new List<byte>();
        for (long offset = 0; offset < sealedFace.Length; offset += 128 * 1024)
        {
            copy.AddRange(await outbox.ReadAttachmentChunkAsync(sealedFace, offset, 128 * 1024, CancellationToken.None) ?? []);
        }

        var unaligned = await outbox.ReadAttachmentChunkAsync(sealedFace, 65_000, 1_000, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(sealedFace.Sealed, Is.True);
            Assert.That(attachments.Single(a => a.AttachmentId == "scan").Sealed, Is.True, "a document scan carries personal data too");
            Assert.That(copy.ToArray(), Is.EqualTo(face));
            Assert.That(unaligned, Is.EqualTo(face.AsSpan(65_000, 1_000).ToArray()), "a read across a segment boundary");
            Assert.That(sealedFace.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(face))), "the platform checks the plaintext hash");
            Assert.That(StoredBlob("face"), Has.Length.EqualTo(AttachmentCipher.StoredLength(face.Length)));
            Assert.That(Contains(StoredBlob("face"), "FACEDATAFACEDATA"u8.ToArray()), Is.False, "no plaintext in the stored bytes");
            Assert.That(Contains(StoredBlob("scan"), "FACEDATAFACEDATA"u8.ToArray()), Is.False, "nor in a document scan's");
        });
    }

    [Test]
    public async Task A_body_with_a_name_id_number_and_answers_never_reaches_the_disk_in_the_clear()
    {
        const string Name = "张三丰";
        const string IdNumber = "110101199003074578";
        const string Answer = "residence changed to Chaoyang District";
        CommitReceipt receipt;
        using (var outbox = Open())
        {
            receipt = await outbox.CommitAsync(new NewRecord(RecordKind.CheckIn, new JsonObject
            {
                ["person"] = new JsonObject { ["name"] = Name, ["idNumber"] = IdNumber, ["birthDate"] = "1990-03-07" },
                ["facts"] = new JsonObject { ["report"] = new JsonObject { ["residence"] = Answer } },
            }), CancellationToken.None);
            var stored = (await outbox.ReadPendingAsync(1, new HashSet<long>(), CancellationToken.None)).Records.Single();
            var opened = JsonNode.Parse(outbox.OpenBody(stored))!;
            Assert.That((string?)opened["person"]!["idNumber"], Is.EqualTo(IdNumber), "the sync reads it back whole");
            Assert.That(stored.Body!.Sealed, Is.True);
        }

        SqliteConnection.ClearAllPools();
        var onDisk = Directory.GetFiles(_folder.Path, "outbox.db*").SelectMany(File.ReadAllBytes).ToArray();
        Assert.Multiple(() =>
        {
            foreach (var secret in new[] { Name, IdNumber, Answer, "1990-03-07" })
            {
                // In UTF-8 and as JSON writes it (System.Text.Json escapes Chinese as \uXXXX).
                Assert.That(Contains(onDisk, System.Text.Encoding.UTF8.GetBytes(secret)), Is.False, $"'{secret}' is in the outbox files in the clear");
                var escaped = System.Text.Json.JsonSerializer.Serialize(secret).Trim('"');
                Assert.That(Contains(onDisk, System.Text.Encoding.UTF8.GetBytes(escaped)), Is.False, $"'{escaped}' is in the outbox files in the clear");
            }
        });
        Assert.That(receipt.Seq, Is.EqualTo(1));
    }

    [Test]
    public async Task A_body_an_older_release_left_in_the_clear_is_sealed_when_the_outbox_opens()
    {
        const string IdNumber = "110101199003074578";
        using (var unkeyed = OutboxStore.Open(_folder.File("outbox.db"), _time))
        {
            await unkeyed.CommitAsync(new NewRecord(RecordKind.CheckIn, new JsonObject { ["idNumber"] = IdNumber }), CancellationToken.None);
        }

        SqliteConnection.ClearAllPools();
        Assert.That(Contains(File.ReadAllBytes(_folder.File("outbox.db")).Concat(File.Exists(_folder.File("outbox.db-wal")) ? File.ReadAllBytes(_folder.File("outbox.db-wal")) : []).ToArray(), System.Text.Encoding.UTF8.GetBytes(IdNumber)), Is.True, "the old release stored it in the clear");
        using (var outbox = Open())
        {
            var record = (await outbox.ReadPendingAsync(1, new HashSet<long>(), CancellationToken.None)).Records.Single();
            Assert.That(record.Body!.Sealed, Is.True);
            Assert.That((string?)JsonNode.Parse(outbox.OpenBody(record))!["idNumber"], Is.EqualTo(IdNumber));
        }

        SqliteConnection.ClearAllPools();
        var onDisk = Directory.GetFiles(_folder.Path, "outbox.db*").SelectMany(File.ReadAllBytes).ToArray();
        Assert.That(Contains(onDisk, System.Text.Encoding.UTF8.GetBytes(IdNumber)), Is.False, "no copy is left in the file, its free pages or its log");
    }

    [Test]
    public async Task A_tampered_sealed_attachment_is_refused_not_sent()
    {
        using var outbox = Open();
        await outbox.CommitAsync(CheckIn(Face(5000), Face(10)), CancellationToken.None);
        var face = ((await outbox.ReadPendingAsync(1, new HashSet<long>(), CancellationToken.None)).Records)[0].Attachments.Single(a => a.AttachmentId == "face");
        using (var connection = new SqliteConnection($"Data Source={_folder.File("outbox.db")};Pooling=False"))
        {
            connection.Open();
            using var blob = new SqliteBlob(connection, "attachments", "data", face.RowId);
            // Flip bits rather than write a fixed value: the ciphertext byte is random and could already hold it.
            blob.Position = 100;
            var original = blob.ReadByte();
            blob.Position = 100;
            blob.WriteByte((byte)(original ^ 0xFF));
        }

        Assert.ThrowsAsync<AuthenticationTagMismatchException>(() => outbox.ReadAttachmentChunkAsync(face, 0, 1000, CancellationToken.None));
    }

    [Test]
    public async Task Another_key_cannot_open_the_sealed_attachment()
    {
        using (var outbox = Open())
        {
            await outbox.CommitAsync(CheckIn(Face(5000), Face(10)), CancellationToken.None);
        }

        SqliteConnection.ClearAllPools();
        using var other = OutboxStore.Open(_folder.File("outbox.db"), _time, key: RandomNumberGenerator.GetBytes(32));
        var face = ((await other.ReadPendingAsync(1, new HashSet<long>(), CancellationToken.None)).Records)[0].Attachments.Single(a => a.AttachmentId == "face");
        Assert.ThrowsAsync<AuthenticationTagMismatchException>(() => other.ReadAttachmentChunkAsync(face, 0, 1000, CancellationToken.None));
    }

    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_key_file_is_created_for_the_owner_only_and_loosened_modes_are_tightened()
    {
        var path = _folder.File("outbox.key");
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(OutboxKey.LoadOrCreate(path), Is.EqualTo(_key), "the same key on every start");

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        OutboxKey.LoadOrCreate(path);
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));

        File.WriteAllBytes(path, new byte[7]);
        var error = Assert.Throws<InvalidDataException>(() => OutboxKey.LoadOrCreate(path));
        Assert.That(error!.Message, Does.Contain("not 32").And.Contain("restore it from the backup"));
    }

    [Test]
    public async Task Salvage_keeps_sealed_attachments_without_needing_the_key()
    {
        var face = Face(150_000);
        using (var outbox = Open())
        {
            for (var i = 0; i < 5; i++)
            {
                await outbox.CommitAsync(CheckIn(face, Face(100)), CancellationToken.None);
            }

            using var checkpoint = new SqliteConnection($"Data Source={_folder.File("outbox.db")};Pooling=False");
            checkpoint.Open();
            using var command = checkpoint.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        using (var file = new FileStream(_folder.File("outbox.db"), FileMode.Open))
        {
            file.Write(RandomNumberGenerator.GetBytes(100));
        }

        using var salvaged = Open();
        Assert.That(salvaged.Recovery, Is.Not.Null);
        Assert.That(salvaged.Recovery!.RecordsSaved, Is.EqualTo(5));
        var attachment = ((await salvaged.ReadPendingAsync(1, new HashSet<long>(), CancellationToken.None)).Records)[0].Attachments.Single(a => a.AttachmentId == "face");
        Assert.That(await salvaged.ReadAttachmentChunkAsync(attachment, 0, 200_000, CancellationToken.None), Is.EqualTo(face));
    }

    private byte[] StoredBlob(string attachmentId)
    {
        using var connection = new SqliteConnection($"Data Source={_folder.File("outbox.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT data FROM attachments WHERE attachment_id = $id;";
        command.Parameters.AddWithValue("$id", attachmentId);
        return (byte[])command.ExecuteScalar()!;
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
