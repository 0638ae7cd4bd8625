using Kiosk.Agent.Tls;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

using Kiosk.Agent.Configuration;

namespace Kiosk.Agent.Sync;

/// <summary>
/// Builds the client side of mutual TLS: our certificate, and a check of the broker's certificate against the CA file only
/// (not the operating system's store): every CA certificate in it, the broker's name, its dates and that it is a server
/// certificate (<see cref="BrokerCertificateCheck"/>).
/// </summary>
internal sealed class BrokerTls : IDisposable
{
    private readonly X509Certificate2 _clientCertificate;
    private readonly CaBundle _trust;
    private readonly string _targetHost;

    public BrokerTls(TlsOptions options, string brokerHost, string dataFolder)
        : this(options, brokerHost, dataFolder, CompleteSwap(options, dataFolder), Path.GetFullPath(options.ClientKeyFile, dataFolder))
    {
    }

    /// <summary>With the client certificate and key from the given files (a renewed pair before it replaces the configured one).</summary>
    public BrokerTls(TlsOptions options, string brokerHost, string dataFolder, string certificateFile, string keyFile)
    {
        _trust = CaBundle.Load(Path.GetFullPath(options.CaFile, dataFolder));
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);

            // Exported and re-imported so the key is usable by SslStream on every platform.
            _clientCertificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch
        {
            _trust.Dispose();
            throw;
        }

        _targetHost = string.IsNullOrEmpty(options.TargetHost) ? brokerHost : options.TargetHost;
        ClientCertificateNotAfter = new DateTimeOffset(_clientCertificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        ClientCertificateThumbprint = _clientCertificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
    }

    /// <summary>SHA-256 of the client certificate (hex, upper case): what the renewal result and the platform name it by.</summary>
    public string ClientCertificateThumbprint { get; }

    /// <summary>The CA file's certificates, against which a renewed client certificate is checked before it is used.</summary>
    internal CaBundle Trust => _trust;

    /// <summary>Finishes a certificate swap a stop interrupted (see <see cref="ClientCertificateFiles"/>), then names the certificate file.</summary>
    private static string CompleteSwap(TlsOptions options, string dataFolder)
    {
        var files = new ClientCertificateFiles(Path.GetFullPath(options.ClientCertificateFile, dataFolder), Path.GetFullPath(options.ClientKeyFile, dataFolder));
        files.CompleteInterruptedPromotion();
        return files.CertificateFile;
    }

    /// <summary>When this kiosk's certificate expires; after it the broker refuses the kiosk until it is enrolled again.</summary>
    public DateTimeOffset ClientCertificateNotAfter { get; }

    /// <summary>
    /// A refused broker certificate fails the handshake with an exception carrying the reason, so the connection's last
    /// error says why instead of the TLS layer's "rejected by the provided RemoteCertificateValidationCallback". The reason
    /// is the innermost exception because agent/Kiosk.Agent/Sync/MqttConnection.cs reports "outer (innermost)", and the
    /// client library's wrapper repeats the outer message: "the broker's TLS certificate was refused (reason)".
    /// </summary>
    public MqttClientTlsOptions Build() => new MqttClientTlsOptionsBuilder()
        .UseTls()
        .WithTargetHost(_targetHost)
        .WithClientCertificates([_clientCertificate])
        .WithCertificateValidationHandler(e => Refusal(e.Certificate, e.Chain, e.SslPolicyErrors) is { } refusal
            ? throw new AuthenticationException("the broker's TLS certificate was refused", new AuthenticationException(refusal))
            : true)
        .Build();

    /// <summary>True only for a certificate that chains to a root of the CA file, is in date, names the broker and is a server certificate.</summary>
    internal bool Validate(X509Certificate? presented, X509Chain? sent, SslPolicyErrors errors) => Refusal(presented, sent, errors) is null;

    /// <summary>Why the broker's certificate must not be trusted, or null; <paramref name="sent"/> is the chain the TLS layer built, carrying what the broker sent.</summary>
    internal string? Refusal(X509Certificate? presented, X509Chain? sent, SslPolicyErrors errors)
    {
        if (presented is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "the broker sent no certificate";
        }

        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        return BrokerCertificateCheck.Problem(certificate, sent?.ChainPolicy.ExtraStore ?? [], errors, _trust, _targetHost);
    }

    public void Dispose()
    {
        _clientCertificate.Dispose();
        _trust.Dispose();
    }
}
