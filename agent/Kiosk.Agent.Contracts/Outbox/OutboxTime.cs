using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Kiosk.Agent.Outbox;

/// <summary>How times are written in the outbox file and on the wire: UTC, milliseconds, <c>Z</c>.</summary>
public static class OutboxTime
{
    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses a time the outbox wrote; false for anything else (a damaged or foreign row).</summary>
    public static bool TryParse(string? text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    /// <exception cref="FormatException">Not a time the outbox wrote.</exception>
    public static DateTimeOffset Parse(string text) =>
        TryParse(text, out var time) ? time : throw new FormatException($"'{text}' is not an outbox time (yyyy-MM-ddTHH:mm:ss.fffZ)");

    [return: NotNullIfNotNull(nameof(time))]
    public static string? Format(DateTimeOffset? time) => time is { } value ? Format(value) : null;
}
