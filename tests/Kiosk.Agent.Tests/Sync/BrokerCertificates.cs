using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kiosk.TestSupport;

namespace Kiosk.Agent.Tests.Sync;

/// <summary>
/// Certificates a broker, honest or not, might present: issued by a <see cref="TestPki"/>'s CA or an intermediate under it,
/// with the extended key usage, names and dates a test picks. Written as PEM files for Mosquitto and the agent's CA file.
/// </summary>
internal static class BrokerCertificates
{
    public static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");

    public static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    /// <summary>A CA certificate (with its key) issued by <paramref name="issuer"/>; <paramref name="usages"/> restricts what it may issue for.</summary>
    public static X509Certificate2 IntermediateCa(X509Certificate2 issuer, string name, Oid[]? usages = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (usages is not null)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. usages], false));
        }

        using var certificate = request.Create(issuer, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(2), RandomNumberGenerator.GetBytes(12));
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// An end-entity certificate (with its key) issued by <paramref name="issuer"/>, for <paramref name="usages"/> (null: no
    /// extended key usage extension at all), naming <paramref name="dnsNames"/> and, unless told otherwise, 127.0.0.1.
    /// </summary>
    public static X509Certificate2 Leaf(
        X509Certificate2 issuer, string name, Oid[]? usages, string[]? dnsNames = null, bool loopback = true, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(name);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        if (usages is not null)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. usages], false));
        }

        var san = new SubjectAlternativeNameBuilder();
        if (loopback)
        {
            san.AddIpAddress(IPAddress.Loopback);
        }

        foreach (var dns in dnsNames ?? [])
        {
            san.AddDnsName(dns);
        }

        request.CertificateExtensions.Add(san.Build());
        var from = notBefore ?? DateTimeOffset.UtcNow.AddHours(-1);
        using var certificate = request.Create(issuer, from, notAfter ?? from.AddYears(1), RandomNumberGenerator.GetBytes(12));
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// Writes <paramref name="leaf"/> followed by <paramref name="sentChain"/> (what Mosquitto then sends in the handshake)
    /// and the leaf's key, as PEM files in <paramref name="folder"/>.
    /// </summary>
    public static (string CertFile, string KeyFile) Write(string folder, string name, X509Certificate2 leaf, params X509Certificate2[] sentChain)
    {
        var certFile = Path.Combine(folder, $"{name}.pem");
        var keyFile = Path.Combine(folder, $"{name}.key");
        File.WriteAllText(certFile, string.Concat(new[] { leaf }.Concat(sentChain).Select(c => c.ExportCertificatePem() + "\n")));
        using var key = leaf.GetECDsaPrivateKey() ?? throw new InvalidOperationException("the leaf has no ECDSA key");
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certFile, keyFile);
    }

    /// <summary>A CA file holding <paramref name="cas"/> in this order, as the platform's caChain or a rotation bundle would.</summary>
    public static string WriteBundle(string folder, string name, params X509Certificate2[] cas)
    {
        var file = Path.Combine(folder, $"{name}.pem");
        File.WriteAllText(file, string.Concat(cas.Select(c => c.ExportCertificatePem() + "\n")));
        return file;
    }
}
