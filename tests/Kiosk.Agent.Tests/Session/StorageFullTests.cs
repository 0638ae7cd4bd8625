using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Session;

namespace Kiosk.Agent.Tests.Session;

public sealed class StorageFullTests
{
    [Test]
    public async Task A_full_outbox_refuses_the_check_in_with_a_clear_message_and_an_alert()
    {
        await using var kiosk = new SessionFixture(budget: new OutboxBudget(4 * 1024 * 1024));
        await kiosk.OpenAsync();
        var backlog = new List<CommitReceipt>();
        while (kiosk.Outbox.Usage.UsedBytes < 3_600_000)
        {
            backlog.Add(await kiosk.Outbox.CommitAsync(new NewRecord(RecordKind.CheckIn, []) { Attachments = [NewAttachment.FromBytes("scan", "image/png", new byte[200_000], false)] }, CancellationToken.None));
        }

        await kiosk.IdentifyAsync(kiosk.NormalPerson);
        await kiosk.CompleteRemainingStepsAsync();
        var (outcome, receipt) = await kiosk.Session.CommitAsync(CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(outcome.Result, Is.EqualTo(StepResult.NotStored));
            Assert.That(receipt, Is.Null, "the person is not told 'done'");
            Assert.That(outcome.Message, Does.Contain("存储已满").And.Contain("storage is full"));
            var stored = await kiosk.StoredAsync();
            Assert.That(stored.Count(r => r.Record.Kind == RecordKind.CheckIn), Is.EqualTo(backlog.Count), "every earlier check-in is still there");
            Assert.That(stored.Single(r => r.Record.Kind == RecordKind.Alert).Body["alertType"]!.GetValue<string>(), Is.EqualTo("storageFull"));
        });

        // The platform drains part of the backlog: the same person can check in again.
        await kiosk.Outbox.MarkSentAsync([.. backlog.Take(5).Select(r => r.Seq)], CancellationToken.None);
        await kiosk.Outbox.AcknowledgeAsync([.. backlog.Take(5).Select(r => r.RecordId)], CancellationToken.None);
        kiosk.Session.Reset();
        await kiosk.IdentifyAsync(kiosk.NormalPerson);
        await kiosk.CompleteRemainingStepsAsync();
        Assert.That((await kiosk.Session.CommitAsync(CancellationToken.None)).Outcome.Result, Is.EqualTo(StepResult.Completed));
    }
}
