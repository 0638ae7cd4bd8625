using System.Buffers.Text;
using System.Security.Cryptography;

namespace Kiosk.Agent.Control;

/// <summary>
/// A random value the kiosk puts in each birth (<c>challenge</c>); the platform answers a birth with a signed ack that
/// echoes it with its clock. That ack is fresh whatever either clock says, so the kiosk may take the platform's time
/// from it even when its own clock is too far off for the time checks: the way out of "the clock is wrong, so every
/// ack is refused as expired, so the clock is never learned". A new value on every connect; the old one no longer counts.
/// Thread safety: may be read and renewed from any thread.
/// </summary>
public sealed class ClockChallenge
{
    private volatile string? _current;

    /// <summary>The value of the current connection, or null before the first birth.</summary>
    public string? Current => _current;

    /// <summary>Makes the value for the next birth.</summary>
    public string Renew() => _current = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    /// <summary>True when <paramref name="echoed"/> is the current value.</summary>
    public bool Matches(string? echoed) => echoed is { Length: > 0 } && _current is { } current
        && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(echoed), System.Text.Encoding.ASCII.GetBytes(current));
}
