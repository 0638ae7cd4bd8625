using System.Globalization;
using System.Text.RegularExpressions;

namespace Kiosk.Central.Messages;

/// <summary>The string formats of docs/mqtt-contract.md, the same patterns the JSON Schemas use.</summary>
internal static partial class ContractFormats
{
    public static readonly IReadOnlySet<string> RecordKinds = new HashSet<string>(StringComparer.Ordinal) { "checkin", "alert", "audit", "telemetry", "commandResult" };

    public static bool IsUuid(string value) => UuidPattern().IsMatch(value);

    public static bool IsSha256Hex(string value) => Sha256Pattern().IsMatch(value);

    /// <summary>RFC 3339 date-time (the pattern keeps out what DateTimeOffset would also accept, such as a bare date).</summary>
    public static bool IsDateTime(string value) =>
        DateTimePattern().IsMatch(value)
        && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>"yyyy-MM-ddTHH:mm:ss.fffZ", the contract's time format.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex UuidPattern();

    [GeneratedRegex("^[0-9a-fA-F]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex(@"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimePattern();
}
