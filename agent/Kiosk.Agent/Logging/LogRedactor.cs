using System.Text.RegularExpressions;

namespace Kiosk.Agent.Logging;

/// <summary>
/// Scrubs what must never leave the kiosk in a log line, whatever wrote it: the agent's own messages already avoid
/// personal data and secrets, but a library's message or an exception's text may quote them. Resident ID numbers
/// (18 characters, 17 digits and a digit or X), mainland mobile numbers, e-mail addresses, bearer tokens and JWS/JWT
/// compact tokens, PEM blocks, and the value after password=, secret=, token= and the like.
/// </summary>
public static partial class LogRedactor
{
    public const string Mark = "[redacted]";

    public static string Scrub(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        line = PemBlock().Replace(line, Mark);
        line = Jwt().Replace(line, Mark);
        line = Bearer().Replace(line, "Bearer " + Mark);
        line = Assignment().Replace(line, m => m.Groups["name"].Value + m.Groups["sep"].Value + Mark);
        line = IdNumber().Replace(line, Mark);
        line = Mobile().Replace(line, Mark);
        line = Email().Replace(line, Mark);
        return line;
    }

    [GeneratedRegex(@"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")]
    private static partial Regex IdNumber();

    [GeneratedRegex(@"(?<![0-9])(\+?86[- ]?)?1[3-9][0-9]{9}(?![0-9])")]
    private static partial Regex Mobile();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex Email();

    [GeneratedRegex(@"Bearer\s+[A-Za-z0-9._~+/=-]+", RegexOptions.IgnoreCase)]
    private static partial Regex Bearer();

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}(\.[A-Za-z0-9_-]*)?")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"-----BEGIN [A-Z ]+-----.*?(-----END [A-Z ]+-----|$)", RegexOptions.Singleline)]
    private static partial Regex PemBlock();

    [GeneratedRegex(@"(?<name>\b(password|passwd|pwd|secret|token|apikey|api_key|privatekey|private_key)\b)(?<sep>\s*[=:]\s*)(""[^""]*""|'[^']*'|[^\s,;&]+)", RegexOptions.IgnoreCase)]
    private static partial Regex Assignment();
}
