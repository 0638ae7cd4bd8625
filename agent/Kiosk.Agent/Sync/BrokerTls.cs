using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

using Kiosk.Agent.Configuration;

namespace Kiosk.Agent.Sync;

/// <summary>
/// Builds the client side of mutual TLS: our certificate, and a check of the broker's certificate against
/// the enrolled CA only (not the operating system's store) including its name.
/// </summary>
internal sealed class BrokerTls : IDisposable
{
    private readonly X509Certificate2 _clientCertificate;
    private readonly X509Certificate2 _ca;
    private readonly string _targetHost;

    public BrokerTls(TlsOptions options, string brokerHost, string dataFolder)
    {
        _ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.GetFullPath(options.CaFile, dataFolder)));
        using var pem = X509Certificate2.CreateFromPemFile(Path.GetFullPath(options.ClientCertificateFile, dataFolder), Path.GetFullPath(options.ClientKeyFile, dataFolder));

        // Exported and re-imported so the key is usable by SslStream on every platform.
        _clientCertificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        _targetHost = string.IsNullOrEmpty(options.TargetHost) ? brokerHost : options.TargetHost;
    }

    public MqttClientTlsOptions Build() => new MqttClientTlsOptionsBuilder()
        .UseTls()
        .WithTargetHost(_targetHost)
        .WithClientCertificates([_clientCertificate])
        .WithCertificateValidationHandler(e => Validate(e.Certificate, e.SslPolicyErrors))
        .Build();

    /// <summary>True only for a certificate that chains to the enrolled CA, is in date, and names the broker.</summary>
    internal bool Validate(X509Certificate? presented, SslPolicyErrors errors)
    {
        if (presented is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) && !IsIpMatch(certificate))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>SslStream reports a name mismatch for an IP target even when the certificate's IP SAN matches it.</summary>
    private bool IsIpMatch(X509Certificate2 certificate)
    {
        if (!IPAddress.TryParse(_targetHost, out var address))
        {
            return false;
        }

        foreach (var extension in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            if (extension.EnumerateIPAddresses().Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose()
    {
        _clientCertificate.Dispose();
        _ca.Dispose();
    }
}
