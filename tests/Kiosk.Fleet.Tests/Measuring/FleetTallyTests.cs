using Kiosk.Fleet.Measuring;

namespace Kiosk.Fleet.Tests.Measuring;

public sealed class FleetTallyTests
{
    private static OutboxCensus Outbox(string kiosk, long lastSeq, params long[] remaining) => new("site-001", kiosk, lastSeq, remaining.ToHashSet());

    private static StoredRow Row(string kiosk, long seq) => new("site-001", kiosk, seq, Guid.NewGuid().ToString("D"));

    [Test]
    public void Every_committed_record_stored_and_gone_from_its_outbox_is_clean()
    {
        var tally = FleetTally.Count([Outbox("kiosk-0001", 2), Outbox("kiosk-0002", 1)], [Row("kiosk-0001", 1), Row("kiosk-0001", 2), Row("kiosk-0002", 1)]);

        Assert.That(tally, Is.EqualTo(new FleetTally(Committed: 3, Acknowledged: 3, StillInOutboxes: 0, Stored: 3, Lost: 0, DuplicatesStored: 0, Unexpected: 0)));
        Assert.That(tally.Clean, Is.True);
    }

    [Test]
    public void A_record_neither_in_its_outbox_nor_stored_is_lost()
    {
        // seq 2 left the outbox (something deleted it) but the platform never stored it.
        var tally = FleetTally.Count([Outbox("kiosk-0001", 3)], [Row("kiosk-0001", 1), Row("kiosk-0001", 3)]);

        Assert.That(tally.Lost, Is.EqualTo(1));
        Assert.That(tally.Acknowledged, Is.EqualTo(3), "gone from the outbox, so the agent took it as acknowledged");
        Assert.That(tally.Clean, Is.False);
    }

    [Test]
    public void A_record_stored_by_another_kiosk_does_not_cover_a_missing_one()
    {
        var tally = FleetTally.Count([Outbox("kiosk-0001", 1), Outbox("kiosk-0002", 0)], [Row("kiosk-0002", 1)]);

        Assert.That(tally.Lost, Is.EqualTo(1));
        Assert.That(tally.Unexpected, Is.EqualTo(1), "kiosk-0002 never committed seq 1");
    }

    [Test]
    public void A_second_row_for_the_same_kiosk_and_seq_is_a_duplicate()
    {
        var tally = FleetTally.Count([Outbox("kiosk-0001", 2)], [Row("kiosk-0001", 1), Row("kiosk-0001", 2), Row("kiosk-0001", 2), Row("kiosk-0001", 2)]);

        Assert.That(tally.DuplicatesStored, Is.EqualTo(2));
        Assert.That(tally.Stored, Is.EqualTo(2));
        Assert.That(tally.Lost, Is.Zero);
        Assert.That(tally.Clean, Is.False);
    }

    [Test]
    public void A_record_still_in_its_outbox_is_not_lost_but_not_acknowledged()
    {
        var tally = FleetTally.Count([Outbox("kiosk-0001", 3, 3)], [Row("kiosk-0001", 1), Row("kiosk-0001", 2)]);

        Assert.That(tally.Lost, Is.Zero);
        Assert.That(tally.StillInOutboxes, Is.EqualTo(1));
        Assert.That(tally.Acknowledged, Is.EqualTo(2));
        Assert.That(tally.Clean, Is.False, "committed differs from acknowledged");
    }

    [Test]
    public void A_record_stored_and_still_in_its_outbox_is_neither_lost_nor_acknowledged()
    {
        // The platform stored it, its ack has not deleted it yet.
        var tally = FleetTally.Count([Outbox("kiosk-0001", 1, 1)], [Row("kiosk-0001", 1)]);

        Assert.That(tally.Lost, Is.Zero);
        Assert.That(tally.Stored, Is.EqualTo(1));
        Assert.That(tally.Acknowledged, Is.Zero);
    }
}
