using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kiosk.Central.Messages;

namespace Kiosk.Central.Provisioning;

/// <summary>
/// The platform's certificate authority for kiosks: issues one-time tokens bound to a site and kiosk, checks a
/// kiosk's PKCS#10 request (its self-signature, so the kiosk holds the key; its subject, so it is the token's kiosk)
/// and issues a TLS client certificate signed by the CA. The token is spent only when a certificate is issued.
/// </summary>
internal sealed class EnrollmentAuthority : IDisposable
{
    /// <summary>Certificates start a little in the past, so a kiosk whose clock is slightly behind can use them at once.</summary>
    private static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    private readonly X509Certificate2 _ca;
    private readonly bool _caIsRsa;
    private readonly EnrollmentTokenStore _tokens;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;

    public EnrollmentAuthority(ProvisioningOptions options, EnrollmentTokenStore tokens, TimeProvider time)
    {
        _tokens = tokens;
        _time = time;
        _lifetime = options.CertificateLifetime;
        _ca = X509Certificate2.CreateFromPemFile(options.CaCertificateFile!, options.CaKeyFile!);
        _caIsRsa = _ca.GetKeyAlgorithm() == "1.2.840.113549.1.1.1";

        // Every certificate of the CA file, in its order: the first is the root kiosks trust for the broker.
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(options.CaCertificateFile!);
        CaChainPem = string.Concat(chain.Select(c => c.ExportCertificatePem() + "\n"));
        foreach (var certificate in chain)
        {
            certificate.Dispose();
        }

        CommandSigningKeyPem = PublicKeyPem(File.ReadAllText(options.CommandSigningKeyFile!));
    }

    /// <summary>PEM of the CA certificate(s) sent to kiosks as <c>caChain</c>.</summary>
    public string CaChainPem { get; }

    /// <summary>SubjectPublicKeyInfo PEM of the command-signing key, sent to kiosks as <c>commandSigningKey</c>.</summary>
    public string CommandSigningKeyPem { get; }

    /// <summary>The subject a kiosk's request must carry: <c>CN=kiosk-{siteId}-{kioskId}</c>.</summary>
    public static string CommonNameFor(string siteId, string kioskId) => $"kiosk-{siteId}-{kioskId}";

    public string IssueToken(string siteId, string kioskId, TimeSpan lifetime)
    {
        if (!KioskTopic.IsIdentifier(siteId) || !KioskTopic.IsIdentifier(kioskId))
        {
            throw new ArgumentException($"'{siteId}/{kioskId}': siteId and kioskId must match ^[A-Za-z0-9_-]{{1,64}}$");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(lifetime, TimeSpan.Zero);
        var token = EnrollmentToken.New();
        var now = _time.GetUtcNow();
        _tokens.Add(EnrollmentToken.Hash(token), siteId, kioskId, now, now + lifetime);
        return token;
    }

    /// <summary>Checks the token and the request (in that order: nothing about the request is said to a client without a valid token) and issues the certificate.</summary>
    public EnrollmentOutcome Enroll(string siteId, string kioskId, string token, string csrPem)
    {
        var hash = EnrollmentToken.Hash(token);
        var row = _tokens.Find(hash);
        var now = _time.GetUtcNow();
        if (row is null)
        {
            return EnrollmentOutcome.Refused(EnrollmentErrors.TokenUnknown, "the platform does not know this enrollment token (mistyped?)");
        }

        if (row.UsedAt is { } usedAt)
        {
            return EnrollmentOutcome.Refused(EnrollmentErrors.TokenUsed, $"this enrollment token was already used at {ContractFormats.FormatTime(usedAt)}");
        }

        if (now >= row.ExpiresAt)
        {
            return EnrollmentOutcome.Refused(EnrollmentErrors.TokenExpired, $"this enrollment token expired at {ContractFormats.FormatTime(row.ExpiresAt)}");
        }

        if (row.SiteId != siteId || row.KioskId != kioskId)
        {
            return EnrollmentOutcome.Refused(EnrollmentErrors.IdentityMismatch, $"this enrollment token is for kiosk {row.KioskId} of site {row.SiteId}, not kiosk {kioskId} of site {siteId}");
        }

        if (CheckRequest(siteId, kioskId, csrPem, out var request) is { } refusal)
        {
            return refusal;
        }

        if (CaProblem(now) is { } caProblem)
        {
            return caProblem;
        }

        var (pem, serial) = Issue(CommonNameFor(siteId, kioskId), request!.PublicKey, now);
        if (!_tokens.TryMarkUsed(hash, now, serial))
        {
            return EnrollmentOutcome.Refused(EnrollmentErrors.TokenUsed, "this enrollment token was used by another request at the same moment");
        }

        return EnrollmentOutcome.Issued(pem);
    }

    /// <summary>
    /// Renewal (docs/mqtt-contract.md, "Certificate renewal"): kiosk <paramref name="siteId"/>/<paramref name="kioskId"/> asks over
    /// its mutual-TLS session, on a topic the broker lets only that kiosk's certificate write, so no token is needed.
    /// The request gets the same checks as at enrollment: its own signature, exactly this kiosk's subject, an accepted key.
    /// </summary>
    public EnrollmentOutcome Renew(string siteId, string kioskId, string csrPem)
    {
        if (!KioskTopic.IsIdentifier(siteId) || !KioskTopic.IsIdentifier(kioskId))
        {
            return EnrollmentOutcome.Refused(EnrollmentErrors.Malformed, $"'{siteId}/{kioskId}': siteId and kioskId must match ^[A-Za-z0-9_-]{{1,64}}$");
        }

        var now = _time.GetUtcNow();
        if (CheckRequest(siteId, kioskId, csrPem, out var request) is { } refusal)
        {
            return refusal;
        }

        if (CaProblem(now) is { } caProblem)
        {
            return caProblem;
        }

        return EnrollmentOutcome.Issued(Issue(CommonNameFor(siteId, kioskId), request!.PublicKey, now).Pem);
    }

    /// <summary>The checks of a PKCS#10 request for kiosk <paramref name="siteId"/>/<paramref name="kioskId"/>: null when it may be issued.</summary>
    internal EnrollmentOutcome? CheckRequest(string siteId, string kioskId, string csrPem, out CertificateRequest? request)
    {
        try
        {
            // Default options verify the request's signature with the public key it carries: a request signed by
            // another key is refused here. Extensions the kiosk asked for are not loaded; the CA sets its own.
            request = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default, _caIsRsa ? RSASignaturePadding.Pkcs1 : null);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            request = null;
            return EnrollmentOutcome.Refused(EnrollmentErrors.CsrInvalid, $"the certificate request is not a PKCS#10 request whose signature verifies with its own public key ({ex.Message})");
        }

        var expected = CommonNameFor(siteId, kioskId);
        var commonNames = request.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(r => !r.HasMultipleElements && r.GetSingleElementType().Value == "2.5.4.3")
            .Select(r => r.GetSingleElementValue())
            .ToList();
        if (commonNames is not [var commonName] || commonName != expected)
        {
            return EnrollmentOutcome.Refused(EnrollmentErrors.IdentityMismatch, $"the certificate request's subject '{request.SubjectName.Name}' is not CN={expected}");
        }

        return KeyProblem(request.PublicKey) is { } problem ? EnrollmentOutcome.Refused(EnrollmentErrors.CsrInvalid, problem) : null;
    }

    /// <summary>
    /// Issued on the platform's clock, inside the CA's own validity: a CA that is not valid now is the operator's
    /// problem to name, not an opaque failure of the signing library.
    /// </summary>
    private EnrollmentOutcome? CaProblem(DateTimeOffset now)
    {
        var caNotBefore = new DateTimeOffset(_ca.NotBefore.ToUniversalTime());
        var caNotAfter = new DateTimeOffset(_ca.NotAfter.ToUniversalTime());
        return now < caNotBefore || now >= caNotAfter
            ? EnrollmentOutcome.Refused(EnrollmentErrors.Internal, $"the platform's CA is valid from {ContractFormats.FormatTime(caNotBefore)} to {ContractFormats.FormatTime(caNotAfter)}, not at the platform's time {ContractFormats.FormatTime(now)}: the operator must fix the platform clock or the CA")
            : null;
    }

    /// <summary>Signs a certificate for <paramref name="commonName"/> and <paramref name="publicKey"/>: its PEM and its serial (hex).</summary>
    private (string Pem, string Serial) Issue(string commonName, PublicKey publicKey, DateTimeOffset now)
    {
        var caNotBefore = new DateTimeOffset(_ca.NotBefore.ToUniversalTime());
        var caNotAfter = new DateTimeOffset(_ca.NotAfter.ToUniversalTime());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        var notBefore = now - Backdate < caNotBefore ? caNotBefore : now - Backdate;
        var notAfter = now + _lifetime < caNotAfter ? now + _lifetime : caNotAfter;
        using var certificate = Build(commonName, publicKey).Create(_ca, notBefore, notAfter, serial);
        return (certificate.ExportCertificatePem() + "\n", Convert.ToHexString(serial));
    }

    public void Dispose() => _ca.Dispose();

    /// <summary>The certificate the platform decides on: the subject and extensions come from here, only the public key from the request.</summary>
    private CertificateRequest Build(string commonName, PublicKey publicKey)
    {
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + commonName), publicKey, HashAlgorithmName.SHA256, _caIsRsa ? RSASignaturePadding.Pkcs1 : null);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ClientAuth], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(publicKey, false));
        if (_ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Any())
        {
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        }

        return request;
    }

    private static string? KeyProblem(PublicKey key)
    {
        using var ec = key.GetECDsaPublicKey();
        if (ec is not null)
        {
            return ec.KeySize is 256 or 384 ? null : $"the request's ECDSA key has {ec.KeySize} bits: use P-256 or P-384";
        }

        using var rsa = key.GetRSAPublicKey();
        if (rsa is not null)
        {
            return rsa.KeySize >= 2048 ? null : $"the request's RSA key has {rsa.KeySize} bits: use 2048 or more";
        }

        return $"the request's key algorithm {key.Oid.FriendlyName ?? key.Oid.Value} is not accepted: use ECDSA P-256";
    }

    private static string PublicKeyPem(string privateKeyPem)
    {
        try
        {
            using var ec = ECDsa.Create();
            ec.ImportFromPem(privateKeyPem);
            return ec.ExportSubjectPublicKeyInfoPem() + "\n";
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(privateKeyPem);
            return rsa.ExportSubjectPublicKeyInfoPem() + "\n";
        }
    }
}
