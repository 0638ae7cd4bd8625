namespace Kiosk.Central;

/// <summary>A snapshot of what the simulator has seen since it started (not persisted).</summary>
/// <param name="RecordsReceived">Well-formed records read from record batches, duplicates included.</param>
/// <param name="RecordsStored">Records committed to the database for the first time.</param>
/// <param name="DuplicatesDropped">Records that were already stored; acknowledged again, not stored again.</param>
/// <param name="HashFailures">Attachments whose chunk or whole-attachment SHA-256 did not match; the kiosk is asked to resend.</param>
/// <param name="ChunksReceived">Well-formed blob chunks received.</param>
/// <param name="AcksSent">Ack messages published (each may carry many record ids).</param>
/// <param name="MalformedMessages">Messages, or records inside a batch, rejected as malformed; never acknowledged.</param>
public sealed record CentralCounts(
    long RecordsReceived,
    long RecordsStored,
    long DuplicatesDropped,
    long HashFailures,
    long ChunksReceived,
    long AcksSent,
    long MalformedMessages);
