using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Outbox.Encryption;
using Kiosk.Central;
using Kiosk.TestSupport;
using Microsoft.Data.Sqlite;

namespace Kiosk.Agent.Tests.Outbox;

/// <summary>
/// Rows the agent cannot read (a kind a newer release wrote, a damaged time) are held back with one alert each, and
/// the rest of the backlog drains around them; after a restart they stay held back, without a second alert.
/// </summary>
public sealed class QuarantineTests
{
    [Test]
    public async Task Unreadable_rows_are_quarantined_with_an_alert_and_the_rest_of_the_backlog_drains()
    {
        await using var testbed = await Testbed.StartAsync("quarantine");
        var folder = testbed.Folder.File("agent");
        Directory.CreateDirectory(folder);
        var key = OutboxKey.LoadOrCreate(Path.Combine(folder, "outbox.key"));
        var receipts = new List<CommitReceipt>();
        using (var outbox = OutboxStore.Open(Path.Combine(folder, "outbox.db"), TimeProvider.System, key: key))
        {
            for (var n = 0; n < 5; n++)
            {
                receipts.Add(await outbox.CommitAsync(new NewRecord(RecordKind.CheckIn, new JsonObject { ["n"] = n }), CancellationToken.None));
            }
        }

        using (var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "outbox.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"UPDATE records SET kind = 'visit' WHERE seq = {receipts[1].Seq}; UPDATE records SET created_at = 'yesterday' WHERE seq = {receipts[3].Seq};";
            command.ExecuteNonQuery();
        }

        var good = new[] { receipts[0], receipts[2], receipts[4] }.Select(r => r.RecordId).ToList();
        await using (var agent = testbed.Agent())
        {
            await agent.StartAsync();
            await agent.WaitAcknowledgedAsync(good);
            await Eventually.TrueAsync(async () => (await Alerts(testbed)).Count == 2, "one recordUnreadable alert per bad row reaches the platform");
            Assert.That((await agent.Outbox.GetTotalsAsync(CancellationToken.None)).Quarantined, Is.EqualTo(2));
            Assert.That(agent.Status.Quarantined, Is.EqualTo(2));
        }

        // A restart finds them already held back: no new alert, nothing sent.
        await using (var again = testbed.Agent())
        {
            await again.StartAsync();
            var marker = await again.CommitAsync(new NewRecord(RecordKind.CheckIn, new JsonObject { ["n"] = 99 }));
            await again.WaitAcknowledgedAsync([marker.RecordId]);
            Assert.That(again.Status.Quarantined, Is.Zero);
            Assert.That(await Alerts(testbed), Has.Count.EqualTo(2));
        }

        var stored = (await testbed.Central.GetStoredRecordsAsync(CancellationToken.None)).Select(r => r.RecordId).ToList();
        Assert.That(stored, Does.Not.Contain(receipts[1].RecordId).And.Not.Contain(receipts[3].RecordId), "the unreadable rows never left, and stay in the outbox as evidence");
        var alertBodies = (await Alerts(testbed)).Select(a => JsonNode.Parse(a)!).ToList();
        Assert.That(alertBodies.Select(a => (long?)a["body"]!["seq"]), Is.EquivalentTo(new long?[] { receipts[1].Seq, receipts[3].Seq }));
    }

    private static async Task<List<string>> Alerts(Testbed testbed) =>
        [.. (await testbed.Central.GetStoredRecordsAsync(CancellationToken.None)).Where(r => r.Kind == "alert" && r.Json.Contains("recordUnreadable", StringComparison.Ordinal)).Select(r => r.Json)];
}
