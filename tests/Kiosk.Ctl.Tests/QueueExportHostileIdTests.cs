using System.Security.Cryptography;
using Kiosk.TestSupport;
using Microsoft.Data.Sqlite;

namespace Kiosk.Ctl.Tests;

/// <summary>
/// kioskctl queue export names a folder after each record id (attachments/&lt;recordId&gt;/): an outbox someone
/// changed so that an id is a path must not make kioskctl (run as root) write outside --to.
/// </summary>
[NonParallelizable]
public sealed class QueueExportHostileIdTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void SetUp() => _folder = new TempFolder("ctl-hostile-id");

    [TearDown]
    public void TearDown() => _folder.Dispose();

    private string DataFolder => _folder.File("data");

    private string Database => Path.Combine(DataFolder, "outbox.db");

    [TestCase("../../escaped", "escaped")]
    [TestCase("{root}/absolute", "absolute")]
    [TestCase("nested/inside", "export")]
    [TestCase("not-a-uuid", "export")]
    public async Task Export_refuses_an_outbox_whose_record_id_is_not_a_uuid_and_writes_nothing(string hostileId, string whereItWouldGo)
    {
        hostileId = hostileId.Replace("{root}", _folder.Path, StringComparison.Ordinal);
        await CommitWithAttachmentAsync(hostileId);
        var before = Snapshot();
        var target = _folder.File("export");

        var run = await KioskctlProcess.RunInEmptyFolderAsync("queue", "export", "--data", DataFolder, "--to", target, "--json");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(1), "the outbox was read; its content fails a check: " + run);
            Assert.That(run.Stderr, Does.Contain("not a UUID").And.Contain("Nothing was exported"));
            Assert.That(run.Stderr, Does.Contain(System.Text.Json.JsonSerializer.Serialize(hostileId)), "the id is named, quoted");
            Assert.That(Path.Exists(_folder.File(whereItWouldGo)), Is.False, $"nothing made at {_folder.File(whereItWouldGo)}");
            Assert.That(Path.Exists(target), Is.False, "not even the export folder");
            Assert.That(Snapshot(), Is.EqualTo(before), "the outbox is kept as it was");
        });
    }

    [Test]
    public async Task Export_of_an_outbox_with_uuid_record_ids_still_writes_each_records_folder()
    {
        var recordId = await CommitWithAttachmentAsync(hostileId: null);
        var target = _folder.File("export");

        var run = await KioskctlProcess.RunInEmptyFolderAsync("queue", "export", "--data", DataFolder, "--to", target, "--json");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(File.Exists(Path.Combine(target, "attachments", recordId, "scan.sealed")), Is.True, "sealed at rest, exported as stored");
    }

    /// <summary>The backlog of <see cref="OutboxBacklog.CommitAsync"/>; then, with plain SQL, its id replaced by <paramref name="hostileId"/>.</summary>
    private async Task<string> CommitWithAttachmentAsync(string? hostileId)
    {
        var recordId = await OutboxBacklog.CommitAsync(DataFolder);
        if (hostileId is null)
        {
            return recordId;
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Database, Pooling = false }.ToString());
        connection.Open();
        using var update = connection.CreateCommand();
        update.CommandText = "UPDATE records SET record_id = $hostile WHERE record_id = $id;";
        update.Parameters.AddWithValue("$hostile", hostileId);
        update.Parameters.AddWithValue("$id", recordId);
        Assert.That(update.ExecuteNonQuery(), Is.EqualTo(1));
        return hostileId;
    }

    private Dictionary<string, string> Snapshot() =>
        Directory.GetFiles(DataFolder).ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
}
