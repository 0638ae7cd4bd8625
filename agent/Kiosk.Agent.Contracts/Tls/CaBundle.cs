using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

using Kiosk.Agent.Configuration;

namespace Kiosk.Agent.Tls;

/// <summary>
/// The CA certificates of <c>Kiosk:Sync:Tls:CaFile</c>, every one of them: during a CA rotation the file holds the old and
/// the new CA, and a broker already moved to the new one must be accepted. Self-signed certificates are the only roots the
/// agent trusts for the broker; the others are intermediates that may complete a chain, never end one.
/// </summary>
public sealed class CaBundle : IDisposable
{
    private const string Key = "Kiosk:Sync:Tls:CaFile";

    private CaBundle(string path, X509Certificate2Collection roots, X509Certificate2Collection intermediates)
    {
        Path = path;
        Roots = roots;
        Intermediates = intermediates;
    }

    /// <summary>The file the certificates came from (named in messages so a technician knows which file to fix).</summary>
    public string Path { get; }

    /// <summary>Self-signed CA certificates: where a broker's chain must end.</summary>
    public X509Certificate2Collection Roots { get; }

    /// <summary>CA certificates issued by another CA: links a chain may use when the broker does not send them.</summary>
    public X509Certificate2Collection Intermediates { get; }

    /// <summary>
    /// Reads every <c>CERTIFICATE</c> block of the PEM file at <paramref name="path"/> (other blocks are ignored). A file
    /// with none, or with one that cannot be read, stops the agent with an <see cref="OptionsValidationException"/>, which
    /// the host reports as a configuration mistake (exit 78) naming the key and the fix.
    /// </summary>
    public static CaBundle Load(string path)
    {
        var all = new X509Certificate2Collection();
        try
        {
            all.ImportFromPem(File.ReadAllText(path));
        }
        catch (CryptographicException ex)
        {
            Dispose(all);
            throw Refuse($"{Key} '{path}' holds a CERTIFICATE block that cannot be read ({ex.Message}): replace the file with the platform's CA file, e.g. with 'kioskctl enroll --ca FILE'.");
        }

        if (all.Count == 0)
        {
            throw Refuse($"{Key} '{path}' holds no certificate (no '-----BEGIN CERTIFICATE-----' block), so no broker could be trusted: put the platform's CA certificate(s) in it, e.g. with 'kioskctl enroll --ca FILE' and the CA file from the platform operator.");
        }

        var roots = new X509Certificate2Collection();
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in all)
        {
            (IsSelfSigned(certificate) ? roots : intermediates).Add(certificate);
        }

        return new CaBundle(path, roots, intermediates);
    }

    /// <summary>
    /// A root names itself as issuer. Its self-signature is not checked: the file is the trust anchor, so what it holds is
    /// trusted as given, and a chain is only ever checked up to it.
    /// </summary>
    private static bool IsSelfSigned(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);

    private static OptionsValidationException Refuse(string message) => new(Key, typeof(TlsOptions), [message]);

    private static void Dispose(X509Certificate2Collection certificates)
    {
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }
    }

    public void Dispose()
    {
        Dispose(Roots);
        Dispose(Intermediates);
    }
}
