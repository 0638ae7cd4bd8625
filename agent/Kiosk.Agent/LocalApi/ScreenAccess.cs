using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Kiosk.Agent.LocalApi;

/// <summary>
/// How the kiosk screen (a browser, which cannot send the Bearer token on a navigation) gets into the local API:
/// a holder of the token (kioskctl, the demo, the screen's launcher) asks for a one-time code
/// (<c>POST /api/screen/codes</c>) and opens <c>/screen/?code=CODE</c>; the agent redeems the code once, for an HttpOnly,
/// SameSite=Strict cookie that admits that browser to the screen's routes only (<c>/screen/</c>, <c>/api/session…</c>,
/// <c>/api/screen/status</c>), never to kioskctl's (<c>/api/status</c>, <c>/api/queue</c>) or to issuing codes.
/// Codes and cookies live in memory: a restarted agent issues new ones.
/// Thread safety: every member may be called concurrently.
/// </summary>
public sealed class ScreenAccess(TimeProvider timeProvider)
{
    public const string CookieName = "kiosk-screen";

    /// <summary>How long an issued code may wait to be opened.</summary>
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(15);

    /// <summary>At most this many screen cookies are valid at once (the oldest goes first): one kiosk, one screen.</summary>
    private const int MaxSessions = 4;

    private const int MaxCodes = 16;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _codes = new(StringComparer.Ordinal);
    private readonly List<string> _sessions = [];

    /// <summary>A new one-time code, valid for <see cref="CodeLifetime"/> or until redeemed.</summary>
    public string IssueCode()
    {
        var code = NewSecret();
        var now = timeProvider.GetUtcNow();
        lock (_lock)
        {
            foreach (var expired in _codes.Where(c => c.Value <= now).Select(c => c.Key).ToList())
            {
                _codes.Remove(expired);
            }

            if (_codes.Count >= MaxCodes)
            {
                _codes.Remove(_codes.MinBy(c => c.Value).Key);
            }

            _codes[code] = now + CodeLifetime;
        }

        return code;
    }

    /// <summary>A URL that opens the screen once (a new code), for the agent's own host: the demo prints it.</summary>
    public string ScreenUrl(Uri localApi)
    {
        ArgumentNullException.ThrowIfNull(localApi);
        return $"{localApi.GetLeftPart(UriPartial.Authority)}/screen/?code={IssueCode()}";
    }

    /// <summary>Raised (outside the lock) after a code was redeemed: the screen URL file needs a fresh one.</summary>
    public event EventHandler? CodeRedeemed;

    /// <summary>Redeems <paramref name="code"/> (once only): the new screen cookie's value, or null for an unknown, used or expired code.</summary>
    public string? Redeem(string? code)
    {
        if (string.IsNullOrEmpty(code) || code.Length > 128)
        {
            return null;
        }

        string session;
        lock (_lock)
        {
            if (!_codes.Remove(code, out var expires) || expires <= timeProvider.GetUtcNow())
            {
                return null;
            }

            session = NewSecret();
            _sessions.Add(session);
            if (_sessions.Count > MaxSessions)
            {
                _sessions.RemoveAt(0);
            }
        }

        CodeRedeemed?.Invoke(this, EventArgs.Empty);
        return session;
    }

    /// <summary>True for the value of a valid screen cookie (compared in constant time).</summary>
    public bool IsScreenSession(string? cookie)
    {
        if (string.IsNullOrEmpty(cookie) || cookie.Length > 128)
        {
            return false;
        }

        var presented = System.Text.Encoding.ASCII.GetBytes(cookie);
        lock (_lock)
        {
            var found = false;
            foreach (var session in _sessions)
            {
                found |= CryptographicOperations.FixedTimeEquals(presented, System.Text.Encoding.ASCII.GetBytes(session));
            }

            return found;
        }
    }

    /// <summary>
    /// The local API's guard admits a request without the token when it is on a screen route and carries a valid screen
    /// cookie, or opens the screen with a code (which <see cref="ScreenApi"/> then redeems or refuses).
    /// </summary>
    public bool Admits(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path;
        if (!IsScreenRoute(path))
        {
            return false;
        }

        if (IsScreenSession(context.Request.Cookies[CookieName]))
        {
            return true;
        }

        return IsScreenPage(path) && HttpMethods.IsGet(context.Request.Method) && context.Request.Query.ContainsKey("code");
    }

    internal static bool IsScreenPage(PathString path) => path.Equals("/screen", StringComparison.Ordinal) || path.Equals("/screen/", StringComparison.Ordinal);

    private static bool IsScreenRoute(PathString path) =>
        path.StartsWithSegments("/screen", StringComparison.Ordinal)
        || path.StartsWithSegments("/api/session", StringComparison.Ordinal)
        || path.Equals("/api/screen/status", StringComparison.Ordinal);

    private static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
