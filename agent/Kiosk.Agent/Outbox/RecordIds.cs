namespace Kiosk.Agent.Outbox;

/// <summary>UUIDv7 record ids (RFC 9562): time-ordered, so the platform's index stays append-mostly.</summary>
public static class RecordIds
{
    public static string New(TimeProvider timeProvider) => Guid.CreateVersion7(timeProvider.GetUtcNow()).ToString("D");

    public static bool IsValid(string value) => Guid.TryParseExact(value, "D", out var g) && g.Version == 7;
}
