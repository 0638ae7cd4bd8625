using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kiosk.Ctl.Enrollment;

/// <summary>
/// What <c>kioskctl enroll</c> checks before it sends the request and before it writes anything the platform answered.
/// The CA file the technician brings (<c>--ca</c>) is the only trust anchor: the reply's <c>caChain</c> only offers
/// intermediates, and every CA certificate in it must itself chain to that file before it becomes <c>pki/ca.crt</c>,
/// which the agent then trusts for the broker.
/// </summary>
internal static class EnrollmentChecks
{
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    /// <summary>Why the request made by init cannot be sent for this kiosk: not for its key, or for another name.</summary>
    public static string? RequestProblem(string csrPem, ECDsa key, string siteId, string kioskId)
    {
        try
        {
            var request = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256);
            if (!request.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                return "is not for the key in device.key";
            }

            var expected = "CN=" + KioskIdentity.CommonName(siteId, kioskId);
            return request.SubjectName.Name == expected ? null : $"is for '{request.SubjectName.Name}', not {expected} (Kiosk:SiteId, Kiosk:KioskId)";
        }
        catch (CryptographicException ex)
        {
            return $"cannot be read ({ex.Message})";
        }
    }

    /// <summary>Why the certificate must not be used: another key, another kiosk, or not for client authentication.</summary>
    public static string? CertificateProblem(X509Certificate2 certificate, ECDsa key, string siteId, string kioskId)
    {
        if (!certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            return "the platform returned a certificate for another key";
        }

        var commonName = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (commonName != KioskIdentity.CommonName(siteId, kioskId))
        {
            return $"the platform returned a certificate for '{commonName}', not {KioskIdentity.CommonName(siteId, kioskId)}";
        }

        return certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Any(e => e.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ClientAuth.Value))
            ? null
            : "the platform's certificate is not for TLS client authentication (no clientAuth extended key usage)";
    }

    /// <summary>
    /// Why the answer is not from the platform <paramref name="anchors"/> (the CA file, <paramref name="anchorFile"/>)
    /// names: the certificate, or a CA certificate of <paramref name="caChainPem"/>, does not chain to one of them.
    /// Otherwise null, and <paramref name="caPem"/> is the checked CA certificates as PEM, what <c>pki/ca.crt</c> gets.
    /// </summary>
    public static string? TrustProblem(X509Certificate2 certificate, string caChainPem, X509Certificate2Collection anchors, string anchorFile, out string caPem)
    {
        caPem = "";
        var offered = new X509Certificate2Collection();
        try
        {
            offered.ImportFromPem(caChainPem);
            if (offered.Count == 0)
            {
                return "the platform's answer has no CA certificate in caChain";
            }

            if (ChainProblem(certificate, anchors, offered) is { } problem)
            {
                return $"the certificate in the answer ('{certificate.Subject}', issued by '{certificate.Issuer}') does not chain to the CA file {anchorFile} ({problem}): "
                    + "the answer did not come from the platform that CA file names (a forged answer, or the wrong --ca)";
            }

            foreach (var ca in offered)
            {
                if (ChainProblem(ca, anchors, offered) is { } caProblem)
                {
                    return $"the answer's caChain holds '{ca.Subject}', which is neither in nor issued by the CA file {anchorFile} ({caProblem}): the agent would trust it for the broker";
                }
            }

            caPem = string.Concat(offered.Select(c => c.ExportCertificatePem() + "\n"));
            return null;
        }
        catch (CryptographicException ex)
        {
            return $"the platform's caChain cannot be read ({ex.Message})";
        }
        finally
        {
            foreach (var ca in offered)
            {
                ca.Dispose();
            }
        }
    }

    /// <summary>Why the command-signing key is not a PEM public key (ECDSA or RSA), or null.</summary>
    public static string? KeyProblem(string publicKeyPem)
    {
        try
        {
            using var ec = ECDsa.Create();
            ec.ImportFromPem(publicKeyPem);
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            try
            {
                using var rsa = RSA.Create();
                rsa.ImportFromPem(publicKeyPem);
                return null;
            }
            catch (Exception inner) when (inner is ArgumentException or CryptographicException)
            {
                return $"the platform's command-signing key is not a PEM public key ({inner.Message})";
            }
        }
    }

    /// <summary>Builds the chain from <paramref name="certificate"/> to one of <paramref name="anchors"/>, the offered certificates serving as intermediates only.</summary>
    private static string? ChainProblem(X509Certificate2 certificate, X509Certificate2Collection anchors, X509Certificate2Collection intermediates)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;

        // Dates are reported (and diagnose checks the clock); here only who signed matters.
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreCtlNotTimeValid;
        return chain.Build(certificate) ? null : string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
    }
}
