using System.Text.RegularExpressions;

namespace Kiosk.Devices;

/// <summary>
/// Takes secrets out of text that is shown or sent: the user name and password of every URL in it
/// (<c>rtsp://admin:secret@10.0.0.5/stream</c> becomes <c>rtsp://***@10.0.0.5/stream</c>). Device models, locations,
/// birth messages, status pages and logs pass what they show about a device through it.
/// Thread safety: stateless.
/// </summary>
public static partial class Redact
{
    /// <summary><paramref name="text"/> with the credentials of every URL in it replaced by <c>***</c>.</summary>
    public static string Credentials(string? text) =>
        string.IsNullOrEmpty(text) ? text ?? "" : UrlUserInfo().Replace(text, "${scheme}://***@");

    /// <summary>A scheme, "://", then user info up to the last '@' before the host's first '/', '?' or '#'.</summary>
    [GeneratedRegex(@"(?<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://[^/?#\s@]*(?:@[^/?#\s@]*)*@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlUserInfo();
}
