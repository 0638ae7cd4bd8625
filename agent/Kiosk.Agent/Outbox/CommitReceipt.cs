namespace Kiosk.Agent.Outbox;

/// <summary>What the person is told after a commit: the record's identity and when it was stored.</summary>
public sealed record CommitReceipt(string RecordId, long Seq, DateTimeOffset CommittedAt, TimeSpan Duration);
