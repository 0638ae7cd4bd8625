using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kiosk.TestSupport;

/// <summary>A throwaway certificate authority for TLS tests, made with .NET's CertificateRequest; PEM files in a folder.</summary>
public sealed class TestPki : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestPki(string folder, string name = "Kiosk Test CA")
    {
        Folder = folder;
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
        CaFile = Path.Combine(folder, $"{Slug(name)}-ca.pem");
        File.WriteAllText(CaFile, Ca.ExportCertificatePem());
    }

    public string Folder { get; }

    public X509Certificate2 Ca { get; }

    public string CaFile { get; }

    /// <summary>A server certificate for 127.0.0.1 and localhost.</summary>
    public (string CertFile, string KeyFile) IssueServer(string name = "broker", DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        return Issue($"CN={name}", name, san.Build(), new Oid("1.3.6.1.5.5.7.3.1"), notBefore, notAfter);
    }

    /// <summary>A client certificate (TLS client authentication), e.g. for a kiosk.</summary>
    public (string CertFile, string KeyFile) IssueClient(string commonName, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null) =>
        Issue($"CN={commonName}", commonName, null, new Oid("1.3.6.1.5.5.7.3.2"), notBefore, notAfter);

    private (string CertFile, string KeyFile) Issue(string subject, string fileName, X509Extension? san, Oid usage, DateTimeOffset? notBefore, DateTimeOffset? notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        if (san is not null)
        {
            request.CertificateExtensions.Add(san);
        }

        var serial = RandomNumberGenerator.GetBytes(12);
        using var certificate = request.Create(Ca, notBefore ?? DateTimeOffset.UtcNow.AddHours(-1), notAfter ?? DateTimeOffset.UtcNow.AddYears(1), serial);
        var certFile = Path.Combine(Folder, $"{Slug(fileName)}.pem");
        var keyFile = Path.Combine(Folder, $"{Slug(fileName)}.key");
        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certFile, keyFile);
    }

    private static string Slug(string name) => new([.. name.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-')]);

    public void Dispose()
    {
        Ca.Dispose();
        _caKey.Dispose();
    }
}
