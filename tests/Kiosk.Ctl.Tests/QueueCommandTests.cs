using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Outbox.Encryption;
using Kiosk.TestSupport;

namespace Kiosk.Ctl.Tests;

/// <summary>kioskctl queue list|export (the outbox file, read-only) and retry (the running agent), run as a process.</summary>
[NonParallelizable]
public sealed class QueueCommandTests
{
    private const string IdNumber = "110101199003074578";
    private TempFolder _folder = null!;
    private byte[] _face = null!;
    private byte[] _scan = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = new TempFolder("ctl-queue");

        // A recognisable pattern: if it shows up in an exported file, the biometric attachment left the outbox decrypted.
        _face = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("FACEDATA", 20_000)));
        _scan = RandomNumberGenerator.GetBytes(5_000);
    }

    [TearDown]
    public void TearDown() => _folder.Dispose();

    /// <summary>A folder name SQLite URIs would misread unless escaped.</summary>
    private string DataFolder => _folder.File("agent #1 ?data");

    private string Database => Path.Combine(DataFolder, "outbox.db");

    /// <summary>Commits what a kiosk typically has waiting, with the agent's own store and key, then closes it.</summary>
    private async Task<IReadOnlyList<CommitReceipt>> CommitBacklogAsync()
    {
        Directory.CreateDirectory(DataFolder);
        using var outbox = OutboxStore.Open(Database, TimeProvider.System, key: OutboxKey.LoadOrCreate(Path.Combine(DataFolder, "outbox.key")));
        var checkIn = new NewRecord(RecordKind.CheckIn, new JsonObject { ["person"] = new JsonObject { ["idNumber"] = IdNumber } })
        {
            Attachments = [NewAttachment.FromBytes("face", "image/jpeg", _face, biometric: true), NewAttachment.FromBytes("scan", "image/png", _scan, biometric: false)],
        };
        return
        [
            await outbox.CommitAsync(checkIn, CancellationToken.None),
            await outbox.CommitAsync(new NewRecord(RecordKind.CheckIn, new JsonObject { ["n"] = 2 }), CancellationToken.None),
            await outbox.CommitAsync(new NewRecord(RecordKind.Alert, new JsonObject { ["alertType"] = "callStaff" }), CancellationToken.None),
        ];
    }

    private Dictionary<string, string> Snapshot() =>
        Directory.GetFiles(DataFolder).ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    [Test]
    public async Task List_shows_the_waiting_records_in_sending_order_and_changes_nothing()
    {
        var receipts = await CommitBacklogAsync();
        var before = Snapshot();

        var (exit, stdout, stderr) = await KioskctlProcess.RunInEmptyFolderAsync("queue", "list", "--data", DataFolder, "--json");
        Assert.That(exit, Is.Zero, stdout + stderr);
        var list = JsonNode.Parse(stdout)!;
        var items = list["items"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(list["records"]!.GetValue<long>(), Is.EqualTo(3));
            Assert.That(items.Select(i => i!["recordId"]!.GetValue<string>()), Is.EqualTo(new[] { receipts[2].RecordId, receipts[0].RecordId, receipts[1].RecordId }), "alerts first, then by seq");
            Assert.That(items.Select(i => i!["kind"]!.GetValue<string>()), Is.EqualTo(new[] { "alert", "checkin", "checkin" }));
            var face = items[1]!["attachments"]!.AsArray()[0]!;
            Assert.That(face["attachmentId"]!.GetValue<string>(), Is.EqualTo("face"));
            Assert.That(face["length"]!.GetValue<long>(), Is.EqualTo(_face.Length));
            Assert.That(face["biometric"]!.GetValue<bool>(), Is.True);
            Assert.That(face["sealed"]!.GetValue<bool>(), Is.True);
            Assert.That(stdout, Does.Not.Contain(IdNumber), "a listing shows no record body");
        });
        Assert.That(Snapshot(), Is.EqualTo(before), "the outbox folder is exactly as it was: read-only");

        var limited = await KioskctlProcess.RunInEmptyFolderAsync("queue", "list", "--data", DataFolder, "--json", "--limit", "1");
        Assert.That(JsonNode.Parse(limited.Stdout)!["items"]!.AsArray(), Has.Count.EqualTo(1));

        var config = _folder.File("agent.json");
        File.WriteAllText(config, new JsonObject { ["Kiosk"] = new JsonObject { [nameof(DataFolder)] = DataFolder } }.ToJsonString());
        var table = await KioskctlProcess.RunInEmptyFolderAsync("queue", "list", "--config", config);
        Assert.That(table.ExitCode, Is.Zero, table.Stderr);
        Assert.That(table.Stdout, Does.Contain("3 records").And.Contain("alert"));
    }

    [Test]
    public async Task List_without_an_outbox_exits_3_naming_where_it_looked()
    {
        Directory.CreateDirectory(DataFolder);
        var (exit, _, stderr) = await KioskctlProcess.RunInEmptyFolderAsync("queue", "list", "--data", DataFolder);
        Assert.That(exit, Is.EqualTo(3));
        Assert.That(stderr, Does.Contain($"there is no outbox at {Database}"));
        Assert.That(File.Exists(Database), Is.False, "reading never creates an outbox");
    }

    [Test]
    public async Task Export_writes_records_jsonl_and_the_attachments_as_stored_sealed_ones_still_sealed()
    {
        var receipts = await CommitBacklogAsync();
        var before = Snapshot();
        var target = _folder.File("export");

        var (exit, stdout, stderr) = await KioskctlProcess.RunInEmptyFolderAsync("queue", "export", "--data", DataFolder, "--to", target, "--json");
        Assert.That(exit, Is.Zero, stdout + stderr);
        var summary = JsonNode.Parse(stdout)!;
        Assert.That(summary["records"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(summary["attachments"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(summary["sealedAttachments"]!.GetValue<int>(), Is.EqualTo(2), "every attachment is sealed at rest, a document scan too");
        Assert.That(summary["notes"]!.AsArray().Select(n => n!.GetValue<string>()), Has.Some.Contains("not decrypted"));
        Assert.That(stderr, Does.Contain("exported 3/3"), "plain progress lines with --json");

        var lines = File.ReadAllLines(Path.Combine(target, "records.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.That(lines.Select(l => l["recordId"]!.GetValue<string>()), Is.EqualTo(new[] { receipts[2].RecordId, receipts[0].RecordId, receipts[1].RecordId }));
        var checkIn = lines[1];
        Assert.That(checkIn["body"], Is.Null, "the body is sealed at rest and stays sealed in the export");
        Assert.That(Convert.FromBase64String(checkIn["bodySealed"]!.GetValue<string>()), Has.Length.GreaterThan(28), "the record itself, as stored");
        Assert.That(File.ReadAllText(Path.Combine(target, "records.jsonl")), Does.Not.Contain(IdNumber), "no ID number in the clear");
        var attachments = checkIn["attachments"]!.AsArray().ToDictionary(a => a!["attachmentId"]!.GetValue<string>(), a => a!);

        var face = attachments["face"];
        var faceFile = Path.Combine(target, face["file"]!.GetValue<string>());
        var sealedBytes = File.ReadAllBytes(faceFile);
        Assert.Multiple(() =>
        {
            Assert.That(faceFile, Does.EndWith(".sealed"));
            Assert.That(face["sealed"]!.GetValue<bool>(), Is.True);
            Assert.That(face["sha256"]!.GetValue<string>(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(_face))), "the plaintext's hash, for whoever opens it");
            Assert.That(sealedBytes.LongLength, Is.EqualTo(face["fileBytes"]!.GetValue<long>()).And.GreaterThan(_face.Length));
            Assert.That(Encoding.ASCII.GetString(sealedBytes), Does.Not.Contain("FACEDATAFACEDATA"), "sealed: no plaintext in the file");
            Assert.That(face["sealing"]!.GetValue<string>(), Does.Contain("AES-256-GCM").And.Contain("Kiosk:Outbox:KeyFile"));
        });

        var scan = attachments["scan"];
        Assert.That(scan["sealed"]!.GetValue<bool>(), Is.True);
        Assert.That(scan["file"]!.GetValue<string>(), Does.EndWith("scan.sealed"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(faceFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        }

        Assert.That(Snapshot(), Is.EqualTo(before), "export reads the outbox read-only");

        var again = await KioskctlProcess.RunInEmptyFolderAsync("queue", "export", "--data", DataFolder, "--to", target);
        Assert.That(again.ExitCode, Is.EqualTo(2));
        Assert.That(again.Stderr, Does.Contain("already holds an export"));
    }

    [Test]
    public async Task Retry_asks_the_running_agent_to_send_unacknowledged_records_again_now()
    {
        // No platform acknowledges here, and the ack timeout is 10 minutes: only a retry sends them again.
        await using var broker = await MosquittoBroker.StartAsync();
        await using var agent = StatusCommandTests.Agent(DataFolder, broker.Port);
        await agent.StartAsync();
        await agent.CommitAsync(new NewRecord(RecordKind.CheckIn, new JsonObject { ["n"] = 1 }));
        await agent.CommitAsync(new NewRecord(RecordKind.CheckIn, new JsonObject { ["n"] = 2 }));
        await Eventually.TrueAsync(() => agent.Status.RecordsPublished >= 2);
        Assert.That(agent.Status.RecordsResent, Is.Zero);

        var (exit, stdout, stderr) = await KioskctlProcess.RunInEmptyFolderAsync("queue", "retry", "--data", DataFolder, "--json");
        Assert.That(exit, Is.Zero, stdout + stderr);
        var retry = JsonNode.Parse(stdout)!;
        Assert.That(retry["requeued"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(retry["connected"]!.GetValue<bool>(), Is.True);
        await Eventually.TrueAsync(() => agent.Status.RecordsResent >= 2);

        var text = await KioskctlProcess.RunInEmptyFolderAsync("queue", "retry", "--data", DataFolder);
        Assert.That(text.ExitCode, Is.Zero, text.Stderr);
        Assert.That(text.Stdout, Does.Contain("records re-queued").And.Contain("sends them again now"));
    }

    [Test]
    public async Task Retry_with_no_agent_running_exits_3_and_says_how_to_start_it()
    {
        Directory.CreateDirectory(DataFolder);
        var (exit, _, stderr) = await KioskctlProcess.RunInEmptyFolderAsync("queue", "retry", "--data", DataFolder, "--url", $"http://127.0.0.1:{FreePort.Next()}");
        Assert.That(exit, Is.EqualTo(3));
        Assert.That(stderr, Does.Contain("the agent is not running").And.Contain("systemctl start kiosk-agent"));
    }
}
