namespace Kiosk.Fleet.Measuring;

/// <summary>
/// The run's count, independent of the agent's own view: what was committed comes from the outbox files
/// (<see cref="OutboxCensus"/>), what was stored from the platform's store (<see cref="StoredRow"/>).
/// </summary>
/// <param name="Committed">Records the kiosks committed: the sum of every outbox's last seq.</param>
/// <param name="Acknowledged">Committed records no longer in their outbox (the platform's ack deleted them).</param>
/// <param name="StillInOutboxes">Committed records still in an outbox (not acknowledged yet, or quarantined).</param>
/// <param name="Stored">Distinct (site, kiosk, seq) the platform stored of the kiosks counted.</param>
/// <param name="Lost">Committed records that are neither still in their outbox nor stored by the platform.</param>
/// <param name="DuplicatesStored">Stored rows beyond one per (site, kiosk, seq).</param>
/// <param name="Unexpected">Distinct stored (site, kiosk, seq) no counted kiosk ever committed (another kiosk, or a seq above its last).</param>
internal sealed record FleetTally(long Committed, long Acknowledged, long StillInOutboxes, long Stored, long Lost, long DuplicatesStored, long Unexpected)
{
    /// <summary>Nothing lost, nothing stored twice, and every committed record acknowledged.</summary>
    public bool Clean => Lost == 0 && DuplicatesStored == 0 && Committed == Acknowledged;

    public static FleetTally Count(IEnumerable<OutboxCensus> outboxes, IEnumerable<StoredRow> stored)
    {
        ArgumentNullException.ThrowIfNull(outboxes);
        ArgumentNullException.ThrowIfNull(stored);
        var rows = 0L;
        var storedKeys = new HashSet<(string Site, string Kiosk, long Seq)>();
        foreach (var row in stored)
        {
            rows++;
            storedKeys.Add((row.SiteId, row.KioskId, row.Seq));
        }

        long committed = 0, still = 0, lost = 0, storedOfCounted = 0;
        var counted = new HashSet<(string Site, string Kiosk, long Seq)>();
        foreach (var outbox in outboxes)
        {
            committed += outbox.LastSeq;
            still += outbox.Remaining.Count(seq => seq >= 1 && seq <= outbox.LastSeq);
            for (var seq = 1L; seq <= outbox.LastSeq; seq++)
            {
                var key = (outbox.SiteId, outbox.KioskId, seq);
                counted.Add(key);
                if (storedKeys.Contains(key))
                {
                    storedOfCounted++;
                }
                else if (!outbox.Remaining.Contains(seq))
                {
                    lost++;
                }
            }
        }

        var unexpected = storedKeys.Count(key => !counted.Contains(key));
        return new FleetTally(committed, committed - still, still, storedOfCounted, lost, rows - storedKeys.Count, unexpected);
    }
}
