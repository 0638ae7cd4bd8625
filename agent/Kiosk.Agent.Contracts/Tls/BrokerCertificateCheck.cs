using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kiosk.Agent.Tls;

/// <summary>
/// Whether the certificate a broker presents may be trusted, and when not, why, in words a technician can act on (the
/// reason becomes the connection's last error, shown by <c>kioskctl status</c> and logged on every failed attempt).
/// A broker is trusted only with a certificate that chains to a root of <c>Kiosk:Sync:Tls:CaFile</c> (intermediates from
/// that file or sent by the broker), is in date, names the broker, and is for TLS server authentication.
/// </summary>
public static class BrokerCertificateCheck
{
    /// <summary>Extended key usage id-kp-serverAuth: the certificate may identify a TLS server.</summary>
    public static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1", "serverAuth");

    private const X509ChainStatusFlags NotFromTheCa = X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain
        | X509ChainStatusFlags.NotSignatureValid | X509ChainStatusFlags.Cyclic | X509ChainStatusFlags.ExplicitDistrust
        | X509ChainStatusFlags.InvalidBasicConstraints | X509ChainStatusFlags.HasNotSupportedCriticalExtension;

    /// <summary>
    /// Null when <paramref name="certificate"/> may be trusted as the broker at <paramref name="targetHost"/>, otherwise the
    /// reason. <paramref name="sent"/> are the other certificates the broker sent (intermediates; never trusted as roots);
    /// <paramref name="errors"/> are the TLS layer's findings, of which only the name check is used (the chain is checked
    /// here against the CA file instead of the operating system's store).
    /// </summary>
    public static string? Problem(X509Certificate2 certificate, X509Certificate2Collection sent, SslPolicyErrors errors, CaBundle trust, string targetHost)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trust.Roots);
        chain.ChainPolicy.ExtraStore.AddRange(trust.Intermediates);
        chain.ChainPolicy.ExtraStore.AddRange(sent);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;

        // Nothing is fetched from addresses a certificate names: on the kiosk's network those answers could come from anyone.
        chain.ChainPolicy.DisableCertificateDownloads = true;

        // Every CA on the way must allow server authentication too, so a CA restricted to kiosk certificates cannot make a broker.
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuth);
        chain.Build(certificate);
        var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        var who = $"the broker's certificate '{Printable(certificate.Subject)}'";

        if ((flags & NotFromTheCa) != 0)
        {
            return $"{who}, issued by '{Printable(certificate.Issuer)}', does not chain to a root CA in Kiosk:Sync:Tls:CaFile ({trust.Path}; {flags & NotFromTheCa}): "
                + "either this is not the platform's broker (something on the network answered in its place), or the CA file is out of date "
                + "(after a CA rotation, enroll again with the platform operator's new CA file: kioskctl enroll --ca FILE)";
        }

        if (flags.HasFlag(X509ChainStatusFlags.NotTimeValid))
        {
            return $"{who} is valid only from {Utc(certificate.NotBefore)} to {Utc(certificate.NotAfter)} (or a CA above it is out of date), and the kiosk's clock says "
                + $"{Utc(DateTime.Now)}: if the clock is right the platform operator must renew the broker's certificate, otherwise set the clock (kioskctl diagnose checks it)";
        }

        if (UsageProblem(certificate) is { } usage)
        {
            return $"{who} {usage}: a certificate made for something else (such as a kiosk's own) must not stand in for the broker; "
                + "the platform operator must give the broker a certificate for TLS server authentication";
        }

        if (flags.HasFlag(X509ChainStatusFlags.NotValidForUsage))
        {
            return $"{who} is issued by a CA that is not allowed to issue TLS server certificates: the platform operator must issue the broker's certificate from the platform's server CA";
        }

        if (flags != X509ChainStatusFlags.NoError)
        {
            return $"{who} is not accepted ({flags}): run kioskctl diagnose and give its output to the platform operator";
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) && !NamesAddress(certificate, targetHost))
        {
            return $"{who} is for {Names(certificate)}, not '{targetHost}': either another server answered at that address, "
                + "or Kiosk:Sync:BrokerHost (or Kiosk:Sync:Tls:TargetHost) is not the name the platform operator gave the broker";
        }

        return null;
    }

    /// <summary>
    /// Why the certificate's extended key usage does not include serverAuth. A certificate without the extension is refused
    /// too: the platform issues every broker certificate with serverAuth (simulators/Kiosk.Central/Provisioning/SimulatorPki.cs),
    /// so one without it was made for something else, and "any use" is exactly what must not pass for a broker.
    /// </summary>
    private static string? UsageProblem(X509Certificate2 certificate)
    {
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().SelectMany(e => e.EnhancedKeyUsages.Cast<Oid>()).ToList();
        if (usages.Count == 0)
        {
            return "has no extended key usage, and the agent accepts only a certificate that says it is for TLS server authentication (serverAuth)";
        }

        return usages.Any(u => u.Value == ServerAuth.Value)
            ? null
            : $"is not for TLS server authentication (its extended key usage is {string.Join(", ", usages.Select(u => u.FriendlyName ?? u.Value))}, without serverAuth)";
    }

    /// <summary>The TLS layer reports a name mismatch for an IP target even when the certificate's IP address entry matches it.</summary>
    private static bool NamesAddress(X509Certificate2 certificate, string targetHost) =>
        IPAddress.TryParse(targetHost, out var address)
        && certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Any(e => e.EnumerateIPAddresses().Contains(address));

    private static string Names(X509Certificate2 certificate)
    {
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>()
            .SelectMany(e => e.EnumerateDnsNames().Concat(e.EnumerateIPAddresses().Select(a => a.ToString())))
            .Select(n => $"'{Printable(n)}'")
            .ToList();
        return names.Count > 0 ? string.Join(", ", names) : $"'{Printable(certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false))}'";
    }

    /// <summary>
    /// Names in a certificate are whatever its maker wrote, and these messages reach the journal and the technician's
    /// terminal (kioskctl status): control and direction-changing characters become '?', so a rogue broker cannot send
    /// escape sequences or reorder the text, and a long name is cut.
    /// </summary>
    private static string Printable(string text)
    {
        const int Longest = 200;
        var shown = text.Length > Longest ? text[..Longest] + "..." : text;
        return string.Create(shown.Length, shown, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var category = char.GetUnicodeCategory(source[i]);
                span[i] = category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                    or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned ? '?' : source[i];
            }
        });
    }

    private static string Utc(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
