using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kiosk.Central.Provisioning;

/// <summary>The files <see cref="SimulatorPki.Create"/> writes.</summary>
public sealed record SimulatorPkiFiles(string CaCertificateFile, string CaKeyFile, string CommandSigningKeyFile, string BrokerCertificateFile, string BrokerKeyFile);

/// <summary>
/// A platform PKI for the simulator, demos and tests: a CA (ECDSA P-256) that signs both the broker's server
/// certificate and, through enrollment, the kiosks' client certificates, plus a command-signing key. A real platform
/// brings its own; nothing here is meant for production.
/// </summary>
public static class SimulatorPki
{
    /// <summary>Writes ca.crt, ca.key, command-signing.key, broker.crt and broker.key (for 127.0.0.1, ::1, localhost and <paramref name="brokerNames"/>) into <paramref name="folder"/>.</summary>
    public static SimulatorPkiFiles Create(string folder, string caName = "Kiosk Platform CA (simulator)", params string[] brokerNames) =>
        Create(folder, TimeProvider.System, caName, brokerNames);

    /// <summary>
    /// As <see cref="Create(string, string, string[])"/>, with every validity period starting from <paramref name="time"/>'s
    /// now: the platform that issues kiosk certificates from this CA must run on the same clock, or its CA is not yet valid
    /// at the moment it signs.
    /// </summary>
    public static SimulatorPkiFiles Create(string folder, TimeProvider time, string caName = "Kiosk Platform CA (simulator)", params string[] brokerNames)
    {
        ArgumentNullException.ThrowIfNull(time);
        Directory.CreateDirectory(folder);
        var files = new SimulatorPkiFiles(
            Path.Combine(folder, "ca.crt"),
            Path.Combine(folder, "ca.key"),
            Path.Combine(folder, "command-signing.key"),
            Path.Combine(folder, "broker.crt"),
            Path.Combine(folder, "broker.key"));
        var now = time.GetUtcNow();
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest(new X500DistinguishedName("CN=" + caName), caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
        File.WriteAllText(files.CaCertificateFile, ca.ExportCertificatePem() + "\n");
        WriteSecret(files.CaKeyFile, caKey.ExportPkcs8PrivateKeyPem() + "\n");

        using var signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        WriteSecret(files.CommandSigningKeyFile, signingKey.ExportPkcs8PrivateKeyPem() + "\n");

        using var brokerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var brokerRequest = new CertificateRequest(new X500DistinguishedName("CN=broker"), brokerKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        san.AddDnsName("localhost");
        foreach (var name in brokerNames)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                san.AddIpAddress(address);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        brokerRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        brokerRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        brokerRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        brokerRequest.CertificateExtensions.Add(san.Build());
        brokerRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        using var broker = brokerRequest.Create(ca, now.AddHours(-1), now.AddYears(2), serial);
        File.WriteAllText(files.BrokerCertificateFile, broker.ExportCertificatePem() + "\n");
        // Readable by others: Mosquitto started as root drops to its own user before it loads the key.
        File.WriteAllText(files.BrokerKeyFile, brokerKey.ExportPkcs8PrivateKeyPem() + "\n");
        return files;
    }

    /// <summary>The CA and command-signing keys are created readable by their owner only (the simulator runs as that user).</summary>
    private static void WriteSecret(string path, string pem)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(pem);
    }
}
